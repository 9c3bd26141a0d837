"""``ehc outbox``: who was told about a case, when, and did it go; ``ehc outbox retry``
requeues emails waiting in backoff or (``--failed``) failed ones.

``retry`` exit codes: 0 done (even with nothing to requeue: it says so); 1 unknown case;
4 the database is unavailable.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import actor, add_page_options, add_user_option, console, guarded, store

STATUSES = ("pending", "sending", "sent", "failed", "withdrawn", "suppressed")


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser("outbox", help="who was told about a case, when, and did "
                                   "it go (newest first)")
    outbox.add_argument("--case", help="only emails about this case")
    outbox.add_argument("--status", choices=STATUSES, help="only emails in this state")
    outbox.add_argument("--la", help="only this local authority")
    add_page_options(outbox, default=100)
    outbox.set_defaults(handler=guarded(show_outbox))
    commands = outbox.add_subparsers(dest="outbox_command", metavar="[retry]")
    retry = commands.add_parser(
        "retry", help="make emails waiting in backoff due now (the next sweep sends them)"
    )
    retry.add_argument("--failed", action="store_true",
                       help="also requeue failed emails, with fresh attempts")
    retry.add_argument("--case", metavar="REF", help="only this case's emails")
    add_user_option(retry)
    retry.set_defaults(handler=guarded(run_retry))


def show_outbox(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table

    from engine.events import LONDON
    from services.outbox import outbox_status

    rows = outbox_status(store(), reference=args.case, status=args.status, la_code=args.la,
                         limit=args.limit + args.offset)[args.offset:]
    out = console()
    out.print(f"{len(rows)} email{'s' if len(rows) != 1 else ''}", style="bold")
    table = Table(box=box.SIMPLE)
    for column in ("recorded", "case", "about", "to", "status", "tries", "sent", "note"):
        table.add_column(column)
    for row in rows:
        about = f"{row.deadline_key} ({row.level})" if row.deadline_key else row.kind
        note = row.last_error or ("resent after an interruption" if row.in_doubt else "")
        if row.status == "pending" and row.attempts:
            note = f"retry from {row.next_attempt_at.astimezone(LONDON):%Y-%m-%d %H:%M}: {note}"
        table.add_row(
            row.created_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"), row.reference or "",
            about, f"{row.recipient_role} {row.recipient_email or '(no address)'}", row.status,
            str(row.attempts),
            row.sent_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if row.sent_at else "",
            note,
        )
    out.print(table)
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from services.outbox_admin import requeue_outbox

    done = requeue_outbox(store(), actor=actor(args), failed=args.failed,
                          case_reference=args.case)
    scope = f" of case {args.case}" if args.case else ""
    failed = f", {done.from_failed} failed made pending again" if args.failed else ""
    print(f"requeued{scope}: {done.from_backoff} waiting in backoff made due now{failed}; "
          "the next `ehc sweep` sends them")
    if done.no_address:
        print(f"  {done.no_address} failed for want of an address stay failed: record the "
              "address; the next escalation goes to it")
    if done.in_flight:
        print(f"  {done.in_flight} in flight left alone: after their lease they are sent "
              "once more, marked as possible duplicates")
    return 0
