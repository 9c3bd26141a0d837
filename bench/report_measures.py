"""The timeliness report's pure part on N case histories: project, then count every
measure in every breakdown (``engine.measures``), as ``services.reporting`` does.

    .venv/bin/python -m bench.report_measures [--cases 100000] [--seed 7] [--as-of D]

Histories come from ``demo.generate_open_cases`` (one authority, 555 caseworkers in six
teams); the store is left out (``bench.demo_load`` and ``bench.sweep`` measure it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

from bench.harness import machine
from calendars import load_calendar
from demo import DEMO_LA_CODE, generate_open_cases
from engine.deadlines import project_deadlines
from engine.events import parse_events
from engine.measures import (
    GROUPINGS,
    TIME_GROUPINGS,
    CaseFacts,
    advice_sources,
    completed_items,
    open_items,
    tabulate,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    args = parser.parse_args()
    calendar = load_calendar(DEMO_LA_CODE)
    started = time.perf_counter()
    caseload = generate_open_cases(args.cases, args.seed, args.as_of)
    generated = time.perf_counter()
    facts = []
    for case in caseload.cases:
        history = parse_events(case.events)
        facts.append(CaseFacts(case.reference, DEMO_LA_CODE, "team", case.caseworker,
                               project_deadlines(history, calendar), advice_sources(history)))
    projected = time.perf_counter()
    start = dt.date(args.as_of.year, 1, 1)
    month_ends = [dt.date(args.as_of.year, m + 1, 1) - dt.timedelta(days=1)
                  for m in range(1, args.as_of.month)] + [args.as_of]
    cells = 0
    completed = completed_items(facts, start, args.as_of)
    for by in GROUPINGS:
        snapshots = month_ends if by in TIME_GROUPINGS else [args.as_of]
        cells += len(tabulate(completed + open_items(facts, snapshots), by))
    counted = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {machine()}")
    print(f"{args.cases:,} histories | generate {generated - started:.1f} s | parse + project "
          f"{projected - generated:.1f} s | count {len(GROUPINGS)} breakdowns "
          f"({cells:,} figures) {counted - projected:.1f} s | peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
