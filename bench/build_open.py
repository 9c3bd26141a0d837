"""Load N open cases (``demo.generate_open_cases``) into a database through the store's
bulk import, 2,000 cases per transaction: staff, cases, every event, projected deadlines.

    .venv/bin/python -m bench.build_open --url URL [--cases 100000] [--seed 7] [--as-of D]

Used by ``bench.sweep`` to build its 100,000-case database (timed as a step of its own).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from db.demo_load import load_in_batches, load_organisation
from db.migrate import upgrade_to_head
from db.session import make_engine, unit_of_work
from demo import generate_open_cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    args = parser.parse_args()
    engine = make_engine(args.url)
    upgrade_to_head(engine)
    caseload = generate_open_cases(args.cases, args.seed, args.as_of)
    started = time.perf_counter()
    cases = events = 0
    with unit_of_work(engine, write=True) as session:
        load_organisation(session, caseload.organisation)
        for report in load_in_batches(session, caseload.organisation.la_code, caseload.cases):
            cases += report.cases_opened
            events += report.events_added
            print(f"  {cases:,} cases, {events:,} events "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    engine.dispose()
    staff = len(caseload.organisation.caseworkers())
    print(f"loaded {cases:,} open cases ({events:,} events) for {staff} caseworkers")


if __name__ == "__main__":
    main()
