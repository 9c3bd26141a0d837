"""(2) Recording one event through the service (``services.cases.record_events``: the
door, the engine over the whole history, the append, the projection, the audit) with N
cases loaded, p50 and p99; (4) rebuilding every projection. SQLite and PostgreSQL.

    .venv/bin/python -m bench.latency [--cases 20000] [--events 300]

The caseworker's event is a review meeting booked on a maintained plan (it starts the
meeting's notice clocks) or an absence from the area during an assessment: one per case,
on cases spread over the whole store. The databases are built as ``bench.national``
builds them (PostgreSQL, kept as a template) and as ``bench.delivery`` does (SQLite;
``bench.run`` passes the one it built).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench import national
from bench.delivery import AS_OF, build
from bench.figures import Figure
from bench.harness import postgres_create, postgres_drop
from db.schema import Case
from db.session import make_engine, unit_of_work
from services.cases import record_events
from services.store import rebuild_projections

MEETING = (AS_OF + dt.timedelta(days=40)).isoformat()


def _event(process: str) -> dict[str, str]:
    if process == "review":
        return {"type": "review_meeting_scheduled", "date": AS_OF.isoformat(),
                "meeting_date": MEETING}
    return {"type": "absence_from_area", "date": AS_OF.isoformat(),
            "from": AS_OF.isoformat(), "to": (AS_OF + dt.timedelta(days=7)).isoformat()}


def record_latencies(url: str, events: int) -> list[float]:
    """Milliseconds per ``record_events`` call, one event each on ``events`` cases."""
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        cases = session.execute(select(Case.reference, Case.process).order_by(Case.id)).all()
    step = max(1, len(cases) // events)
    times = []
    for reference, process in cases[::step][:events]:
        started = time.perf_counter()
        record_events(engine, reference, [_event(process)], recorded_by="bench",
                      as_of=AS_OF)
        times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return times


def rebuild_seconds(url: str) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    rebuild_projections(engine, actor="bench")
    wall = time.perf_counter() - started
    engine.dispose()
    return wall


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(template: Path | None, cases: int, events: int) -> list[Figure]:
    """The figures on a copy of ``template`` (SQLite, ``cases`` cases; built if None) and
    on PostgreSQL."""
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "latency.sqlite3")
        if template is None:
            build(path, cases, swept=False)
        else:
            shutil.copyfile(template, path)
        urls = {"SQLite": f"sqlite:///{path}"}
        kept, _ = national.build(cases, 1)
        urls["PostgreSQL"] = postgres_create("ehc_bench_latency", template=kept)
        for backend, url in urls.items():
            times = record_latencies(url, events)
            p50, p99 = _percentile(times, 50), _percentile(times, 99)
            target = "< 5 ms" if backend == "SQLite" else "< 10 ms"
            figures += [
                Figure(f"record one event, {backend}, {cases:,} cases: p50", "ms", [p50],
                       target=target),
                Figure(f"record one event, {backend}, {cases:,} cases: p99 ({len(times)} "
                       f"events; {p99 / p50:.1f}x p50)", "ms", [p99], target="< 4x p50"),
                Figure(f"rebuild all projections, {backend}, {cases:,} cases", "s",
                       [rebuild_seconds(url)]),
            ]
        postgres_drop("ehc_bench_latency")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    for figure in measure(None, args.cases, args.events):
        print(figure.row())


if __name__ == "__main__":
    main()
