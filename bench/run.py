"""``bench/run``: every benchmark of issue 14 that runs on this machine, written to
bench/RESULTS.md (machine, commit, each figure a median of repeated runs with min and max,
and its ratio to its floor).

    bench/run                 # the issue's sizes: 20,000 cases, then 1,000,000 (an hour+)
    bench/run --smoke         # tiny sizes, one run each (seconds): the test suite runs this
    bench/run --national 200000 --authorities 30 --runs 3 --out /tmp/RESULTS.md

Figures: (1) the engine per history; (3) import events/s, SQLite and PostgreSQL, each
next to the bare bulk insert of its rows (``bench.import_speed``); (5) the sweep (decide and
record) first night (a baseline), same night again, next night, each next to the bare
indexed query for what is due (the floor): in-process on SQLite, then on PostgreSQL at
``--cases`` over one authority and at ``--national`` over ``--authorities``
(``bench.national``: a pool of two processes, the next night's emails delivered, peak
memory); (2) recording one event p50/p99 and (4) rebuilding every projection, SQLite and
PostgreSQL (``bench.latency``); (6) delivery msg/s next to a bare smtplib loop; (7)
``ehc --help`` and ``ehc event add`` as processes.
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

from bench import delivery, import_speed, latency, national, startup
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
DUE = text("""
SELECT d.case_id, d.key, d.instance, d.due FROM deadlines d JOIN cases c ON c.id = d.case_id
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


def sweep_figures(template: Path, cases: int, runs: int, folder: Path) -> list[Figure]:
    scratch = folder / "sweep-run.sqlite3"
    settings = NotifySettings()
    nights: dict[str, list[float]] = {night.label: [] for night in national.NIGHTS}
    horizon = load_calendar(DEMO_LA_CODE).add_working_days(AS_OF, national.REACH)
    floors: list[float] = []
    for _ in range(runs):
        shutil.copyfile(template, scratch)
        engine = make_engine(f"sqlite:///{scratch}")
        with engine.connect() as connection:
            started = time.perf_counter()
            connection.execute(DUE, {"la": DEMO_LA_CODE, "day": AS_OF,
                                     "horizon": horizon}).all()
            floors.append(time.perf_counter() - started)
        for night in national.NIGHTS:
            started = time.perf_counter()
            sweep_authority(engine, DEMO_LA_CODE, night.day, settings,
                            baseline=night.baseline)
            nights[night.label].append(time.perf_counter() - started)
        engine.dispose()
    floor = Figure(f"sweep floor: bare indexed query for what is due, {cases:,} cases",
                   "s", floors)
    figures = [floor]
    figures += [Figure(f"sweep, decide+record, SQLite, {cases:,} cases: {label}", "s", values,
                       floor=floor, target="< 5 s" if label == "next night" else "")
                for label, values in nights.items()]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--cases", type=int, default=20_000,
                        help="cases for the SQLite, PostgreSQL and latency figures")
    parser.add_argument("--national", type=int, default=1_000_000,
                        help="open cases of the national figure (PostgreSQL)")
    parser.add_argument("--authorities", type=int, default=153)
    parser.add_argument("--national-runs", type=int, default=1,
                        help="runs of the national figure (each sweeps a fresh copy)")
    parser.add_argument("--events", type=int, default=300,
                        help="events recorded one at a time for the latency figures")
    parser.add_argument("--histories", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.histories, args.runs = 40, 40, 1
        args.national, args.authorities, args.events, args.national_runs = 60, 3, 10, 1
    started = time.perf_counter()
    figures = [engine_figure(args.histories, args.runs)]
    figures += import_speed.measure(args.cases, args.runs)
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder, "sweep.sqlite3")
        delivery.build(template, args.cases, swept=False)
        figures += sweep_figures(template, args.cases, args.runs, Path(folder))
        figures += latency.measure(template, args.cases, args.events)
    notes = []
    for cases, count, runs in ((args.cases, 1, args.runs),
                               (args.national, args.authorities, args.national_runs)):
        found, note = national.measure(cases, count, runs)
        figures += found
        notes.append(note)
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
             "each" + (" (smoke)" if args.smoke else ""),
             *(f"- PostgreSQL sweep, {note}" for note in notes), "",
             "Ratios are to the floor measured in the same run (the bare bulk insert of the "
             "same rows for the import, the bare indexed query for the sweep, a bare smtplib "
             "loop for delivery).", "", HEADER,
             *(f.row() for f in figures), ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
