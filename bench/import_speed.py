"""(3) Bulk import: events per second into an empty store, SQLite and PostgreSQL, next to
the bare insert of the same rows (the floor: ``COPY`` / one ``executemany`` per table of
rows already made, no parsing, no engine).

    .venv/bin/python -m bench.import_speed [--cases 20000] [--runs 3] [--backend sqlite]

Each run imports N open cases (``demo.generate_open_cases``) with ``db.transfer
.import_cases`` in one unit of work (planned in worker processes, as ``ehc import`` does at
that size) into a fresh database: a new SQLite file, or a new PostgreSQL database on the
server at ``EHC_BENCH_POSTGRES_URL``. The floor copies that run's rows into another fresh
database through ``db.bulk_write``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from bench.figures import Figure
from bench.harness import ADMIN_URL
from db.base import Base
from db.bulk_write import COLUMNS, BulkWriter
from db.demo_load import incoming_cases, load_organisation
from db.import_format import IncomingCase
from db.migrate import upgrade_to_head
from db.session import make_engine, unit_of_work
from db.transfer import import_cases
from demo import DEMO_LA_CODE, generate_open_cases
from demo.model import Organisation

AS_OF = dt.date(2026, 11, 23)
BACKENDS = ("sqlite", "postgresql")
LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
COPIED = ("cases", "case_events", "deadlines", "audit_log")


@contextlib.contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[Engine]:
    """An empty migrated database, dropped afterwards."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}")
        upgrade_to_head(engine)
        yield engine
        engine.dispose()
        return
    name = f"ehc_import_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(ADMIN_URL).set(database=name)
                         .render_as_string(hide_password=False))
    try:
        upgrade_to_head(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def import_once(engine: Engine, organisation: Organisation,
                cases: Sequence[IncomingCase]) -> tuple[int, float]:
    """(events, events/s) importing ``cases`` into ``engine`` (staff loaded first)."""
    with unit_of_work(engine, write=True) as session:
        load_organisation(session, organisation)
    started = time.perf_counter()
    with unit_of_work(engine, write=True) as session:
        report = import_cases(session, cases, actor="bench", source="bench")
    return report.events_added, report.events_added / (time.perf_counter() - started)


def floor_once(source: Engine, target: Engine, organisation: Organisation,
               events: int) -> float:
    """Events/s writing the rows ``source`` holds into ``target`` with the bulk writer."""
    with unit_of_work(target, write=True) as session:
        load_organisation(session, organisation)
    tables = Base.metadata.tables
    with unit_of_work(source) as session:
        rows = {name: [dict(row._mapping) for row in session.execute(
            select(*(tables[name].c[column] for column in COLUMNS[name])))]
            for name in COPIED}
    with unit_of_work(target, write=True) as session:
        writer = BulkWriter(session)
        formatted: dict[str, list[Any]] = {
            name: [writer.format.row(name, values) for values in found]
            for name, found in rows.items()}
        started = time.perf_counter()
        with writer.writing():
            for name in COPIED:
                writer.insert(name, formatted[name])
    return events / (time.perf_counter() - started)  # (the commit included)


def measure(cases: int, runs: int, backends: Sequence[str] = BACKENDS) -> list[Figure]:
    """For each backend: the import's events/s (median of ``runs``) and its floor."""
    caseload = generate_open_cases(cases, 7, AS_OF)
    incoming = incoming_cases(DEMO_LA_CODE, caseload.cases)
    figures = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for backend in backends:
            rates, floors = [], []
            events = 0
            for _ in range(runs):
                with fresh_database(backend, folder) as engine:
                    events, rate = import_once(engine, caseload.organisation, incoming)
                    rates.append(rate)
                    with fresh_database(backend, folder) as target:
                        floors.append(floor_once(engine, target, caseload.organisation,
                                                 events))
            name = LABEL[backend]
            floor = Figure(f"import floor: bare bulk insert of the rows, {name}, "
                           f"{events:,} events", "events/s", floors, higher_is_better=True)
            figures += [floor, Figure(
                f"import, {name}, {cases:,} cases ({events:,} events)", "events/s", rates,
                higher_is_better=True, floor=floor, target=">= 20,000 events/s")]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    args = parser.parse_args()
    for figure in measure(args.cases, args.runs, args.backend or BACKENDS):
        print(figure.row(), flush=True)


if __name__ == "__main__":
    main()
