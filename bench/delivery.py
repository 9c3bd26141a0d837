"""(6) Delivery: messages per second from the outbox into a local SMTP server, next to the
same server's intake from a bare ``smtplib`` loop over one connection (the floor).

    .venv/bin/python -m bench.delivery [--cases 3000] [--runs 3] [--connections 1 4]

The database (SQLite) holds N open cases (``demo.generate_open_cases``) swept once, so the
outbox holds that night's emails; every run delivers them from a fresh copy. The floor
sends the same messages, rendered to bytes beforehand, over one connection
(``smtplib.SMTP.sendmail``: nothing left for the client to do but talk). The SMTP server is
aiosmtpd's ``Sink`` in its own process, so it does not share the sender's interpreter.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bench.figures import Figure, runs_of
from db.demo_load import load_in_batches, load_organisation
from db.migrate import upgrade_to_head
from db.notify_schema import OutboxRow
from db.session import make_engine, unit_of_work
from demo import generate_open_cases
from notifications.deliver import deliver_pending, render_row
from notifications.settings import NotifySettings
from notifications.transport import SmtpTransport
from services.sweep import sweep_authority

AS_OF = dt.date(2026, 11, 23)


@contextlib.contextmanager
def sink_process() -> Iterator[int]:
    """aiosmtpd's discarding ``Sink`` on a free loopback port, in a process of its own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                               f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"])
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def build(path: Path, cases: int, *, swept: bool = True) -> tuple[int, float]:
    """N open cases (swept once, its emails recorded, unless not ``swept``); returns
    (events, events/s loaded)."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    caseload = generate_open_cases(cases, 7, AS_OF)
    events = 0
    started = time.perf_counter()
    with unit_of_work(engine, write=True) as session:
        load_organisation(session, caseload.organisation)
        for report in load_in_batches(session, caseload.organisation.la_code, caseload.cases):
            events += report.events_added
    loading = time.perf_counter() - started
    if swept:
        sweep_authority(engine, caseload.organisation.la_code, AS_OF, NotifySettings())
    engine.dispose()
    return events, events / loading


def ours(template: Path, scratch: Path, settings: NotifySettings) -> float:
    """Messages per second delivering the template's outbox (a fresh copy)."""
    shutil.copyfile(template, scratch)
    engine = make_engine(f"sqlite:///{scratch}")
    started = time.perf_counter()
    report = deliver_pending(engine, SmtpTransport.from_settings(settings), settings)
    wall = time.perf_counter() - started
    engine.dispose()
    if not report.sent or report.undelivered:
        raise RuntimeError(f"delivery did not complete: {report}")
    return report.sent / wall


def floor(template: Path, settings: NotifySettings) -> float:
    """Messages per second of a bare smtplib loop sending the same, pre-rendered messages."""
    engine = make_engine(f"sqlite:///{template}")
    sent_at = dt.datetime.now(dt.UTC)
    with unit_of_work(engine) as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.status == "pending")).all()
        messages = [render_row(row, settings).attempt(sent_at=sent_at, in_doubt=False)
                    for row in rows]
    engine.dispose()
    started = time.perf_counter()
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port) as smtp:
        for message in messages:
            smtp.sendmail(message.mail_from, list(message.to), message.data)
    return len(messages) / (time.perf_counter() - started)


def measure(cases: int, runs: int, connections: list[int]) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder, sink_process() as port:
        template, scratch = Path(folder, "template.sqlite3"), Path(folder, "run.sqlite3")
        build(template, cases)
        settings = NotifySettings(smtp_port=port)
        base = Figure("delivery: bare smtplib loop, 1 connection (floor)", "msg/s",
                      runs_of(runs, lambda: floor(template, settings)), higher_is_better=True)
        figures = [base]
        for n in connections:
            pooled = replace(settings, smtp_connections=n)
            figures.append(Figure(
                f"delivery: outbox, {n} connection{'s' if n > 1 else ''}", "msg/s",
                runs_of(runs, partial(ours, template, scratch, pooled)),
                higher_is_better=True, floor=base, target="<= 2x the floor"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    for figure in measure(args.cases, args.runs, args.connections):
        print(figure.row())


if __name__ == "__main__":
    main()
