"""``ehc outbox``: who was told about a case, when, and did it go."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import add_page_options, console, guarded, store

STATUSES = ("pending", "sending", "sent", "failed", "withdrawn", "suppressed")


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser("outbox", help="who was told about a case, when, and did "
                                   "it go (newest first)")
    outbox.add_argument("--case", help="only emails about this case")
    outbox.add_argument("--status", choices=STATUSES, help="only emails in this state")
    outbox.add_argument("--la", help="only this local authority")
    add_page_options(outbox, default=100)
    outbox.set_defaults(handler=guarded(show_outbox))


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
