"""``ehc sweep``, ``ehc digest`` and ``ehc smtp-sink``: the overnight flows, run here.

``sweep`` and ``digest`` run the same Prefect flows a deployment runs. Without
``PREFECT_API_URL`` Prefect starts a temporary local server (kept under the data
directory, analytics off), so no Prefect server is needed; with it, runs are recorded on
that server. ``smtp-sink`` is a local SMTP server that keeps what it receives in a
Maildir, so a demo (or a cautious first run) can see exactly what would have been sent.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from cli.common import fail, guarded, iso_date, runtime, store
from cli.delivery import delivery_outcome

DEFAULT_SINK_PORT = 8025


def register(subparsers: Any) -> None:
    for name, what in (("sweep", "decide and send tonight's escalation emails"),
                       ("digest", "send today's digests to caseworkers and team managers")):
        cmd = subparsers.add_parser(name, help=f"{what} (the overnight flow, run now)")
        cmd.add_argument("--as-of", type=iso_date,
                         help="run as of this day (default: today in England)")
        cmd.add_argument("--dry-run", action="store_true",
                         help="show what would be sent; record and send nothing")
        cmd.add_argument("--la", action="append", metavar="CODE",
                         help="only this local authority (repeatable; default: all)")
        cmd.set_defaults(handler=guarded(run_sweep if name == "sweep" else run_digest))
        if name == "sweep":
            cmd.add_argument("--baseline", action="store_true",
                             help="onboarding an imported caseload: record what is already "
                             "due as escalated, send none of it (see docs/operations.md)")
    sink = subparsers.add_parser(
        "smtp-sink", help="a local SMTP server on 127.0.0.1 that keeps what it receives"
    )
    sink.add_argument("--port", type=int, default=DEFAULT_SINK_PORT)
    sink.add_argument("--dir", type=Path, help="Maildir to keep messages in "
                      "(default: <data dir>/mail)")
    sink.add_argument("--list", action="store_true",
                      help="list the messages kept so far instead of serving")
    sink.set_defaults(handler=run_sink)


def data_dir() -> Path:
    return runtime().settings.data_dir


def prefect_environment(data: Path) -> None:
    """Offline, quiet Prefect settings under the data directory ``data``, unless the
    operator set their own (Prefect reads its own settings from the environment, so they
    are set there before it is imported)."""
    os.environ.setdefault("PREFECT_HOME", str((data / "prefect").resolve()))
    # Prefect does not create missing parents, and then waits for a server that cannot start.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def run_sweep(args: argparse.Namespace) -> int:
    check_database()
    prefect_environment(data_dir())
    from flows.nightly_sweep import nightly_sweep  # Prefect costs ~2 s to import

    return _run(nightly_sweep, args, baseline=args.baseline)


def run_digest(args: argparse.Namespace) -> int:
    check_database()
    prefect_environment(data_dir())
    from flows.daily_digest import daily_digest

    return _run(daily_digest, args)


def check_database() -> None:
    """Fail fast (``Unavailable``) before paying for Prefect's start-up."""
    from services.sweep import authorities

    authorities(store())


def _run(flow: Any, args: argparse.Namespace, **options: Any) -> int:
    from flows.tasks import DeliveryIncomplete

    try:
        report = flow(as_of=args.as_of, la_codes=args.la, dry_run=args.dry_run, **options)
    except DeliveryIncomplete as exc:
        return fail(str(exc), print_report(exc.report))
    return print_report(report)


def print_report(report: dict[str, Any]) -> int:
    """Print the flow's report; its exit code (``cli.delivery``)."""
    what = "would send" if report["dry_run"] else "recorded"
    notes = [note for note, on in (("baseline", report.get("baseline")),
                                   ("dry run", report["dry_run"])) if on]
    suffix = f" ({', '.join(notes)})" if notes else ""
    print(f"{report['flow']} as of {report['as_of']}{suffix}")
    if report.get("baseline"):
        verb = "would be" if report["dry_run"] else "are"
        print(f"  baseline: these escalations {verb} recorded as done, their emails "
              "suppressed (never sent)")
    for la in report["authorities"]:
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in la.items()
                           if isinstance(v, int))
        print(f"  {la['la_code']}: {counts}")
        levels = la.get("by_level") or {}
        if levels:
            print(f"    by level: {', '.join(f'{k} {v}' for k, v in levels.items())}")
        for mail in la["would_send"]:
            print(f"    {what}: to {mail['to']}: {mail['subject']}")
    code, lines = delivery_outcome(report["delivery"]) if report.get("delivery") else (0, [])
    for line in lines:
        print(line)
    return code


def run_sink(args: argparse.Namespace) -> int:
    folder: Path = args.dir or data_dir() / "mail"
    if args.list:
        return list_sink(folder)
    from aiosmtpd.controller import Controller

    folder.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(folder, create=True)  # makes tmp/, new/ and cur/ when new
    controller = Controller(_Keeper(box), hostname="127.0.0.1", port=args.port)
    try:
        controller.start()
    except (OSError, RuntimeError) as exc:
        return fail(f"cannot listen on 127.0.0.1:{args.port}: {exc}")
    print(f"SMTP sink on 127.0.0.1:{args.port}, keeping messages in {folder} (Ctrl-C stops)",
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


class _Keeper:
    def __init__(self, box: mailbox.Maildir) -> None:
        self.box = box
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.box.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def list_sink(folder: Path) -> int:
    if not (folder / "new").is_dir():
        return fail(f"no messages kept in {folder} yet (is `ehc smtp-sink` running?)")
    box = mailbox.Maildir(folder, create=False)
    messages = sorted((m for m in box), key=lambda m: m.get_date() or 0)
    print(f"{len(messages)} message(s) in {folder}")
    for message in messages:
        subject = " ".join(str(message["Subject"]).split())  # unfold long headers
        print(f"  to {message['To']}: {subject}  {message['Message-ID']}")
    sys.stdout.flush()
    return 0
