"""``ehc due``: the worklist a caseworker starts the day with."""

from __future__ import annotations

import argparse
from typing import Any

from cli.cases import STATUS_STYLE
from cli.common import console, guarded, iso_date, store, today, working_days


def register(subparsers: Any) -> None:
    due = subparsers.add_parser(
        "due", help="deadlines overdue or due soon, overdue first (the morning worklist)"
    )
    due.add_argument("--within", type=working_days, default=10, metavar="PERIOD",
                     help="how far ahead to look, in working days: 10d, 2w (default 10d)")
    due.add_argument("--overdue", action="store_true", help="only deadlines already missed")
    due.add_argument("--caseworker", help="only this caseworker's cases (username)")
    due.add_argument("--team", help="only this team's cases")
    due.add_argument("--la", help="only this local authority (or: which LA --team is in)")
    due.add_argument("--as-of", type=iso_date,
                     help="judge on this day (default: today in England)")
    due.set_defaults(handler=guarded(show_due))


def show_due(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table

    from services.worklist import worklist

    found = worklist(
        store(), as_of=today(args), within_working_days=args.within,
        overdue_only=args.overdue, caseworker=args.caseworker, team=args.team,
        la_code=args.la,
    )
    scope = " ".join(
        part for part in (
            f"caseworker {args.caseworker}" if args.caseworker else "",
            f"team {args.team}" if args.team else "",
            f"LA {args.la}" if args.la else "",
        ) if part
    ) or "everyone"
    horizon = "overdue" if args.overdue else f"overdue or due by {found.due_by}"
    out = console()
    items = found.items
    noun = "deadline" if len(items) == 1 else "deadlines"
    out.print(f"{len(items)} {noun} {horizon} as of {found.as_of} for {scope} "
              f"({found.overdue} overdue)", style="bold")
    if not items:
        return 0
    table = Table(box=box.SIMPLE)
    for column in ("due", "late", "status", "case", "deadline", "rule", "who", "caseworker"):
        table.add_column(column)
    for item in items:
        deadline = item.deadline
        table.add_row(
            str(deadline.due),
            f"{item.days_late}d" if item.days_late else "",
            item.status.value,
            item.reference,
            f"{deadline.key} [{deadline.instance}]",
            deadline.rule,
            deadline.actor,
            f"{item.caseworker} ({item.team})",
            style=STATUS_STYLE[item.status.value],
        )
    out.print(table)
    return 0
