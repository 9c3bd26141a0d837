"""``bench/run``: every benchmark of issue 14 that runs on this machine, written to
bench/RESULTS.md (machine, commit, each figure a median of repeated runs with min and max,
and its ratio to its floor).

    bench/run                 # the default sizes (minutes)
    bench/run --smoke         # tiny sizes, one run each (seconds): the test suite runs this
    bench/run --cases 20000 --histories 20000 --runs 3 --out bench/RESULTS.md

Figures: the engine per history; import events/s (the build step); the sweep (decide and
record, in-process, SQLite) first night, same night again, next night, each next to the
bare indexed query for what is due (the floor); delivery msg/s next to a bare smtplib loop;
``ehc --help`` and ``ehc event add`` as processes. What it does not yet measure is listed
at the end of the file it writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench import delivery, startup
from bench.figures import HEADER, Figure, runs_of
from bench.harness import REPO, machine
from calendars import load_calendar
from db.session import make_engine
from demo import DEMO_LA_CODE, generate_open_cases
from engine.deadlines import project_deadlines
from engine.events import parse_events
from notifications.settings import NotifySettings
from services.sweep import sweep_authority

AS_OF = delivery.AS_OF
NOT_YET = """\
## Not measured by this run

- record one event through the service, p50/p99, SQLite and PostgreSQL with 20,000 cases;
- rebuild all projections;
- the sweep on PostgreSQL, and at 1,000,000 open cases over 153 authorities;
- import at database speed (COPY / batched executemany): the import figure above is the
  existing bulk import, not a faster one.
"""

DUE = text("""
SELECT count(*) FROM deadlines d JOIN cases c ON c.id = d.case_id
WHERE c.la_id = (SELECT id FROM local_authorities WHERE code = :la)
  AND d.kind = 'limit' AND d.met_on IS NULL AND d.trigger_date <= :day AND d.due <= :horizon
  AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.case_id = d.case_id
                  AND e.deadline_key = d.key AND e.instance = d.instance)
""")


def engine_figure(histories: int, runs: int) -> Figure:
    calendar = load_calendar(DEMO_LA_CODE)
    parsed = [parse_events(case.events)
              for case in generate_open_cases(histories, 7, AS_OF).cases]

    def once() -> float:
        started = time.perf_counter()
        for history in parsed:
            project_deadlines(history, calendar)
        return (time.perf_counter() - started) / len(parsed) * 1e6

    return Figure(f"engine: project_deadlines, {histories:,} histories", "us/history",
                  runs_of(runs, once), target="< 200 us")


def sweep_figures(cases: int, runs: int, folder: Path) -> list[Figure]:
    template, scratch = folder / "sweep.sqlite3", folder / "sweep-run.sqlite3"
    events, per_second = delivery.build(template, cases, swept=False)
    settings = NotifySettings()
    nights: dict[str, list[float]] = {"first night": [], "same night again": [],
                                      "next night": []}
    floors: list[float] = []
    for _ in range(runs):
        shutil.copyfile(template, scratch)
        engine = make_engine(f"sqlite:///{scratch}")
        with engine.connect() as connection:
            started = time.perf_counter()
            connection.execute(DUE, {"la": DEMO_LA_CODE, "day": AS_OF,
                                     "horizon": AS_OF + dt.timedelta(days=14)}).scalar()
            floors.append(time.perf_counter() - started)
        for label, day in (("first night", AS_OF), ("same night again", AS_OF),
                           ("next night", AS_OF + dt.timedelta(days=1))):
            started = time.perf_counter()
            sweep_authority(engine, DEMO_LA_CODE, day, settings)
            nights[label].append(time.perf_counter() - started)
        engine.dispose()
    floor = Figure(f"sweep floor: bare indexed query for what is due, {cases:,} cases",
                   "s", floors)
    figures = [Figure(f"import (build step): {events:,} events", "events/s", [per_second],
                      higher_is_better=True, target=">= 20,000 events/s"), floor]
    figures += [Figure(f"sweep, decide+record, SQLite, {cases:,} cases: {label}", "s", values,
                       floor=floor, target="< 5 s" if label == "next night" else "")
                for label, values in nights.items()]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--histories", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.histories, args.runs = 40, 40, 1
    started = time.perf_counter()
    figures = [engine_figure(args.histories, args.runs)]
    with tempfile.TemporaryDirectory() as folder:
        figures += sweep_figures(args.cases, args.runs, Path(folder))
    figures += delivery.measure(args.cases, args.runs, [1, 4])
    helps, adds = startup.measure(args.runs)
    figures += [Figure("ehc --help (process)", "s", helps, target="< 0.3 s"),
                Figure("ehc event add, SQLite (process)", "s", adds)]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                            capture_output=True, check=False).stdout.strip() or "?"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = ["# Benchmark results (bench/run)", "",
             f"- machine: {machine()}",
             f"- commit: {commit}; run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
             f"{time.perf_counter() - started:.0f} s in all; peak RSS of bench/run "
             f"{peak:.0f} MiB",
             f"- sizes: {args.histories:,} histories, {args.cases:,} cases, {args.runs} run(s) "
             "each" + (" (smoke)" if args.smoke else ""), "",
             "Ratios are to the floor measured in the same run (the bare indexed query for "
             "the sweep, a bare smtplib loop for delivery).", "", HEADER,
             *(f.row() for f in figures), "", NOT_YET]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
