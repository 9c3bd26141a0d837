"""``ehc case open|show|list|search|reassign|close`` and ``ehc event add``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from cli.common import (
    EXIT_BAD_INPUT,
    actor,
    add_page_options,
    add_user_option,
    console,
    fail,
    field_value,
    guarded,
    iso_date,
    runtime,
    store,
    today,
)

if TYPE_CHECKING:
    from rich.table import Table

    from services.cases import CaseView, JudgedDeadline

PROCESSES = ("assessment", "review")
CLOSE_REASONS = ("plan_ceased", "moved_away", "request_withdrawn")
STATUS_STYLE = {
    "breached": "bold red",
    "due_soon": "yellow",
    "met_late": "magenta",
    "met_on_time": "green",
    "pending": "",
    "disapplied": "dim",
}


def register(subparsers: Any) -> None:
    case = subparsers.add_parser("case", help="open, show, list, reassign or close cases")
    commands = case.add_subparsers(dest="case_command", required=True, metavar="ACTION")
    open_ = commands.add_parser("open", help="open a new case")
    open_.add_argument("reference")
    open_.add_argument("--process", required=True, choices=PROCESSES)
    open_.add_argument("--caseworker", required=True, help="username")
    open_.add_argument("--la", required=True, help="local authority code")
    add_user_option(open_)
    open_.set_defaults(handler=guarded(open_case))

    show = commands.add_parser("show", help="a case's timeline, deadlines and who was told")
    show.add_argument("reference")
    show.add_argument("--as-of", type=iso_date, help="judge deadlines on this day (default: "
                      "today in England)")
    show.add_argument("--json", action="store_true", help="print the case as JSON")
    show.set_defaults(handler=guarded(show_case))

    for name, what in (("list", "the caseload, soonest next deadline first"),
                       ("search", "find cases by (part of) their reference")):
        listing = commands.add_parser(name, help=what)
        if name == "search":
            listing.add_argument("text", help="part of a case reference")
        listing.add_argument("--caseworker", help="only this caseworker's cases (username)")
        listing.add_argument("--team", help="only this team's cases")
        listing.add_argument("--la", help="only this local authority")
        listing.add_argument("--stage", help="only cases at this stage, e.g. assessing")
        listing.add_argument("--due-by", type=iso_date,
                             help="only cases with an open deadline due by this day")
        listing.add_argument("--as-of", type=iso_date, help="judge on this day")
        add_page_options(listing)
        listing.set_defaults(handler=guarded(list_cases))

    reassign = commands.add_parser("reassign", help="give a case to another caseworker")
    reassign.add_argument("reference")
    reassign.add_argument("caseworker", help="the new caseworker's username")
    add_user_option(reassign)
    reassign.set_defaults(handler=guarded(reassign_case))

    close = commands.add_parser("close", help="close a case (recorded as an event)")
    close.add_argument("reference")
    close.add_argument("--reason", required=True, choices=CLOSE_REASONS)
    close.add_argument("--date", type=iso_date, required=True, help="when (YYYY-MM-DD)")
    add_user_option(close)
    close.set_defaults(handler=guarded(close_case))

    event = subparsers.add_parser("event", help="record events")
    event_commands = event.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    add = event_commands.add_parser("add", help="record one event on a case")
    add.add_argument("reference")
    add.add_argument("type", help="event type, e.g. request_received")
    add.add_argument("--date", type=iso_date, help="the legal date it happened (YYYY-MM-DD)")
    add.add_argument("--field", type=field_value, action="append", default=[], metavar="K=V",
                     help="another field of the event (repeatable); JSON if V starts [ or {")
    add.add_argument("--id", help="your id for the event: sending it again records it once")
    add.add_argument("--expected-seq", type=int, help="refuse if the case no longer has this "
                     "many events (someone else recorded in between)")
    add_user_option(add)
    add.set_defaults(handler=guarded(add_event))


def open_case(args: argparse.Namespace) -> int:
    from services.cases import open_case

    reference = open_case(store(), args.reference, process=args.process,
                          caseworker=args.caseworker, la_code=args.la, actor=actor(args))
    print(f"opened case {reference} ({args.process}) for {args.caseworker} in {args.la}")
    return 0


def add_event(args: argparse.Namespace) -> int:
    from engine.events import EVENT_TYPES
    from services.cases import record_events
    from services.errors import Refused

    if args.type not in EVENT_TYPES:
        return fail(f"unknown event type {args.type!r}; known types: {', '.join(EVENT_TYPES)}",
                    EXIT_BAD_INPUT)
    data: dict[str, Any] = {"type": args.type}
    for name, value in args.field:
        if name in data or name in ("date", "id"):
            return fail(f"field {name!r} given twice (use --date/--id for date and id)",
                        EXIT_BAD_INPUT)
        data[name] = value
    if args.date is not None:
        data["date"] = args.date.isoformat()
    if args.id is not None:
        data["id"] = args.id
    try:
        result = record_events(store(), args.reference, [data], expected_seq=args.expected_seq,
                               recorded_by=actor(args), as_of=today(args),
                               adviser_types=runtime().settings.adviser_types_file)
    except Refused as exc:
        # One event was submitted, so "event #1 of your submission" would only confuse.
        return fail(f"{args.type} refused: {exc.message}")
    record = result.events[0]
    if record.new:
        print(f"recorded event #{record.seq} on case {result.reference}: {record.type} "
              f"on {record.date}")
    else:
        print(f"already recorded as event #{record.seq} on case {result.reference} "
              "(same id): nothing new written")
    return 0


def close_case(args: argparse.Namespace) -> int:
    from services.cases import close_case

    result = close_case(store(), args.reference, args.reason, on=args.date,
                        recorded_by=actor(args), as_of=today(args))
    print(f"closed case {result.reference} on {args.date} ({args.reason.replace('_', ' ')}): "
          f"event #{result.seq}; its statutory clocks have stopped")
    return 0


def reassign_case(args: argparse.Namespace) -> int:
    from services.cases import reassign_case

    worker = reassign_case(store(), args.reference, args.caseworker, actor=actor(args))
    print(f"case {args.reference} is now {worker}'s")
    return 0


def list_cases(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table

    from services.cases import find_cases

    page = find_cases(
        store(), as_of=today(args), la_code=args.la, caseworker=args.caseworker,
        team=args.team, stage=args.stage, search=getattr(args, "text", None),
        due_by=args.due_by, limit=args.limit, offset=args.offset,
    )
    out = console()
    shown = f"{page.offset + 1}-{page.offset + len(page.cases)}" if page.cases else "none"
    out.print(f"{page.total} case{'s' if page.total != 1 else ''} (showing {shown})",
              style="bold")
    table = Table(box=box.SIMPLE)
    for column in ("case", "process", "stage", "caseworker", "next deadline", "due", "status"):
        table.add_column(column)
    for summary in page.cases:
        case, judged = summary.case, summary.next_deadline
        table.add_row(
            case.reference, case.process, case.stage or "", f"{case.caseworker} ({case.team})",
            judged.deadline.key if judged else "", str(judged.deadline.due) if judged else "",
            _status(judged), style=STATUS_STYLE[judged.status.value] if judged else "",
        )
    out.print(table)
    if page.offset + len(page.cases) < page.total:
        out.print(f"more: --offset {page.offset + len(page.cases)}")
    return 0


def show_case(args: argparse.Namespace) -> int:
    from services.cases import case_view

    view = case_view(store(), args.reference, as_of=today(args))
    if args.json:
        print(json.dumps(_as_json(view), indent=2, ensure_ascii=False))
        return 0
    out = console()
    out.print(
        f"Case {view.reference} · {view.process} · {view.la_code} {view.la_name} · caseworker "
        f"{view.caseworker_name} ({view.caseworker}, team {view.team}) · {view.stage_text} · "
        f"as of {view.as_of}", style="bold",
    )
    if view.refused:
        out.print(f"The current rules refuse this log: {view.refused}", style="bold red")
    out.print(_timeline(view))
    out.print(_deadlines(view))
    for warning in sorted({w for j in view.deadlines for w in j.deadline.warnings}):
        out.print(f"warning: {warning}", style="yellow")
    out.print(_told(view))
    return 0


def _status(judged: JudgedDeadline | None) -> str:
    if judged is None:
        return ""
    late = f" {judged.days_late}d" if judged.days_late else ""
    return f"{judged.status.value}{late}"


def _timeline(view: CaseView) -> Table:
    from rich import box
    from rich.table import Table

    from engine.events import LONDON

    table = Table(title="Timeline", box=box.SIMPLE, title_justify="left")
    for column in ("#", "date", "event", "details", "id", "recorded"):
        table.add_column(column)
    for entry in view.timeline:
        details = ", ".join(f"{k}={v if isinstance(v, str) else json.dumps(v)}"
                            for k, v in entry.details.items())
        recorded = entry.recorded_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(entry.seq), str(entry.date),
            entry.type if entry.in_effect else f"{entry.type} (withdrawn/superseded)",
            details, entry.id or "", f"{recorded} {entry.recorded_by}",
            style="" if entry.in_effect else "dim strike",
        )
    return table


def _deadlines(view: CaseView) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title="Deadlines", box=box.SIMPLE, title_justify="left")
    for column in ("due", "status", "late", "deadline", "rule", "who", "met", "why"):
        table.add_column(column)
    for judged in view.deadlines:
        d = judged.deadline
        table.add_row(
            str(d.due or f"({d.nominal}, disapplied)"), judged.status.value,
            f"{judged.days_late}d" if judged.days_late else "", f"{d.key} [{d.instance}]",
            d.rule, d.actor, str(d.met_on or ""), d.explanation,
            style=STATUS_STYLE[judged.status.value],
        )
    return table


def _told(view: CaseView) -> Table:
    from rich import box
    from rich.table import Table

    from engine.events import LONDON

    table = Table(title="Who was told", box=box.SIMPLE, title_justify="left")
    for column in ("recorded", "deadline", "level", "to", "status", "sent"):
        table.add_column(column)
    for mail in view.told:
        sent = mail.sent_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if mail.sent_at else ""
        table.add_row(
            mail.created_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"),
            mail.deadline_key or "", mail.level or "",
            f"{mail.recipient_role} {mail.recipient_email or '(no address)'}", mail.status, sent,
        )
    return table


def _as_json(view: CaseView) -> dict[str, Any]:
    return {
        "reference": view.reference, "process": view.process, "la_code": view.la_code,
        "caseworker": view.caseworker, "team": view.team, "stage": view.stage,
        "seq": view.seq, "as_of": view.as_of.isoformat(), "refused": view.refused,
        "allowed_events": list(view.allowed_events),
        "timeline": [
            {"seq": e.seq, "date": e.date.isoformat(), "type": e.type, "details": e.details,
             "id": e.id, "recorded_at": e.recorded_at.isoformat(),
             "recorded_by": e.recorded_by, "in_effect": e.in_effect}
            for e in view.timeline
        ],
        "deadlines": [
            {"key": j.deadline.key, "instance": j.deadline.instance, "rule": j.deadline.rule,
             "kind": j.deadline.kind, "actor": j.deadline.actor,
             "due": _iso(j.deadline.due), "nominal": j.deadline.nominal.isoformat(),
             "met_on": _iso(j.deadline.met_on), "status": j.status.value,
             "days_late": j.days_late, "explanation": j.deadline.explanation,
             "plain_explanation": j.deadline.plain_explanation,
             "warnings": list(j.deadline.warnings)}
            for j in view.deadlines
        ],
        "told": [
            {"deadline": m.deadline_key, "level": m.level, "role": m.recipient_role,
             "status": m.status, "created_at": m.created_at.isoformat(),
             "sent_at": m.sent_at.isoformat() if m.sent_at else None}
            for m in view.told
        ],
    }


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None
