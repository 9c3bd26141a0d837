"""(a) The pure engine: validate and project the deadlines of N case histories.

    .venv/bin/python -m bench.engine_projection [--cases 100000] [--seed 7] [--as-of D]

Histories come from ``demo.generate_open_cases`` (open assessments and plans under
review, with the demo's lateness), streamed so only one is held at a time: the peak RSS
is the engine's, not the data set's. Generation, validation (``parse_events``) and
projection (``project_deadlines``) are timed separately.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    args = parser.parse_args()
    calendar = load_calendar(DEMO_LA_CODE)
    generating = parsing = projecting = 0.0
    events = deadlines = 0
    started = time.perf_counter()
    cases = iter(generate_open_cases(args.cases, args.seed, args.as_of).cases)
    while True:
        t0 = time.perf_counter()
        case = next(cases, None)
        t1 = time.perf_counter()
        generating += t1 - t0
        if case is None:
            break
        history = parse_events(case.events)
        t2 = time.perf_counter()
        deadlines += len(project_deadlines(history, calendar))
        t3 = time.perf_counter()
        parsing += t2 - t1
        projecting += t3 - t2
        events += len(history)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = args.cases
    print(f"machine: {machine()}")
    print(f"{n:,} histories, {events:,} events, {deadlines:,} deadlines")
    print(f"generate {generating:.1f} s | parse_events {parsing:.1f} s | "
          f"project_deadlines {projecting:.1f} s "
          f"({1000 * projecting / n:.2f} ms per history) | wall {wall:.1f} s | "
          f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
