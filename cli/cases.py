"""``ehc case open``, ``ehc case show`` and ``ehc event add``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from rich import box
from rich.table import Table

from cli.common import (
    actor,
    add_user_option,
    console,
    fail,
    field_value,
    guarded,
    iso_date,
)
from cli.today import london_today
from db import directory, event_store
from db.deadline_rows import case_deadlines, deadline_from_row
from db.errors import EventRefused
from db.la_calendar import calendar_for
from db.schema import PROCESSES
from db.session import unit_of_work
from engine.errors import EngineError
from engine.events import EVENT_TYPES, LONDON, dump_event, event_date
from engine.history import effective_history
from engine.status import Status, days_late, status_on

STATUS_STYLE = {
    Status.BREACHED: "bold red",
    Status.DUE_SOON: "yellow",
    Status.MET_LATE: "magenta",
    Status.MET_ON_TIME: "green",
    Status.PENDING: "",
    Status.DISAPPLIED: "dim",
}
_SHOWN_ELSEWHERE = {"type", "date", "id", "recorded_at", "recorded_by"}


def register(subparsers: Any) -> None:
    case = subparsers.add_parser("case", help="open or show a case")
    commands = case.add_subparsers(dest="case_command", required=True, metavar="ACTION")
    open_ = commands.add_parser("open", help="open a new case")
    open_.add_argument("reference")
    open_.add_argument("--process", required=True, choices=PROCESSES)
    open_.add_argument("--caseworker", required=True, help="username")
    open_.add_argument("--la", required=True, help="local authority code")
    add_user_option(open_)
    open_.set_defaults(handler=guarded(open_case))

    show = commands.add_parser("show", help="a case's timeline and deadlines")
    show.add_argument("reference")
    show.add_argument("--as-of", type=iso_date, help="judge deadlines on this day (default: "
                      "today in England)")
    show.set_defaults(handler=guarded(show_case))

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
    with unit_of_work(write=True) as session:
        case = directory.open_case(
            session, args.reference, process=args.process, caseworker=args.caseworker,
            la_code=args.la, actor=actor(args),
        )
    print(f"opened case {case.reference} ({case.process}) for {args.caseworker} in {args.la}")
    return 0


def add_event(args: argparse.Namespace) -> int:
    if args.type not in EVENT_TYPES:
        return fail(f"unknown event type {args.type!r}; known types: {', '.join(EVENT_TYPES)}")
    data: dict[str, Any] = {"type": args.type}
    for name, value in args.field:
        if name in data or name in ("date", "id"):
            return fail(f"field {name!r} given twice (use --date/--id for date and id)")
        data[name] = value
    if args.date is not None:
        data["date"] = args.date.isoformat()
    if args.id is not None:
        data["id"] = args.id
    try:
        with unit_of_work(write=True) as session:
            result = event_store.append(
                session, args.reference, [data], args.expected_seq, recorded_by=actor(args)
            )
    except EventRefused as exc:
        # One event was submitted, so "event #1 of your submission" would only confuse.
        return fail(f"{args.type} refused: {exc.reason}")
    if result.recorded:
        record = result.recorded[0]
        print(f"recorded event #{record.seq} on case {result.reference}: {record.event.type} "
              f"on {event_date(record.event)}")
    else:
        record = result.repeats[0]
        print(f"already recorded as event #{record.seq} on case {result.reference} "
              "(same id): nothing new written")
    return 0


def show_case(args: argparse.Namespace) -> int:
    as_of: dt.date = args.as_of or london_today()
    with unit_of_work() as session:
        case = directory.get_case(session, args.reference)
        history = event_store.load(session, args.reference)
        worker = case.caseworker
        calendar = calendar_for(case.local_authority)
        deadlines = [deadline_from_row(row) for row in case_deadlines(session, case.id)]
        header = (
            f"Case {case.reference} · {case.process} · {case.local_authority.code} "
            f"{case.local_authority.name} · caseworker {worker.name} ({worker.username}, "
            f"team {worker.team.name}) · as of {as_of}"
        )
    out = console()
    out.print(header, style="bold")
    out.print(_timeline(history))
    table = Table(title="Deadlines", box=box.SIMPLE, title_justify="left")
    for column in ("due", "status", "late", "deadline", "rule", "who", "met", "why"):
        table.add_column(column)
    for deadline in sorted(deadlines, key=lambda d: (d.due or d.nominal, d.key)):
        status = status_on(deadline, as_of, calendar)
        late = days_late(deadline, as_of)
        table.add_row(
            str(deadline.due or f"({deadline.nominal}, disapplied)"),
            status.value,
            f"{late}d" if late else "",
            f"{deadline.key} [{deadline.instance}]",
            deadline.rule,
            deadline.actor,
            str(deadline.met_on or ""),
            deadline.explanation,
            style=STATUS_STYLE[status],
        )
    out.print(table)
    return 0


def _timeline(history: event_store.CaseHistory) -> Table:
    try:
        in_effect = {index for index, _ in effective_history(history.events)}
    except EngineError:  # a log the current rules refuse is still shown, all of it
        in_effect = set(range(len(history.records)))
    table = Table(title="Timeline", box=box.SIMPLE, title_justify="left")
    for column in ("#", "date", "event", "details", "id", "recorded"):
        table.add_column(column)
    for index, record in enumerate(history.records):
        event = record.event
        details = ", ".join(
            f"{k}={v if isinstance(v, str) else json.dumps(v)}"
            for k, v in dump_event(event).items()
            if k not in _SHOWN_ELSEWHERE
        )
        stands = index in in_effect or event.type == "event_withdrawn"
        recorded = record.recorded_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(record.seq),
            str(event_date(event)),
            event.type if stands else f"{event.type} (withdrawn/superseded)",
            details,
            event.id or "",
            f"{recorded} {record.recorded_by}",
            style="" if stands else "dim strike",
        )
    return table
