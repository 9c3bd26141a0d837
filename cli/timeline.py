"""``ehc timeline CASE.json``: a case's events and statutory deadlines, in date order.

The case-history document is described in docs/case-format.md. Bad input of any kind
(unreadable file, bad JSON, an invalid event, a history that cannot have happened, an
``--as-of`` outside the calendar) exits with code 2 and the reason, pointing at the
offending event: ``event #3 (final_plan_issued): ...`` (numbered from 1, in the order the
document lists them). The case's warnings are printed after the timeline (and listed in
``--json``), each pointing at its event the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from calendars import UnknownLocalAuthority, known_local_authorities, load_calendar
from calendars.base import WorkingCalendar
from calendars.errors import CalendarGap
from engine.deadlines import Projection, project_case
from engine.errors import EngineError
from engine.events import CaseEvent, dump_event, event_date, parse_events
from engine.history import effective_history
from engine.report import report
from engine.status import CaseWarning, Deadline, Status, days_late, status_on
from services.bootstrap import london_today

EXIT_BAD_INPUT = 2
WIDTH = 99
_INDENT = " " * 26
# Fields that say nothing new on a timeline line (the type and date are shown already).
_QUIET_FIELDS = frozenset({"type", "date", "id", "recorded_at", "recorded_by", "note"})


class BadInput(Exception):
    """Input the command refuses; the message is shown as it is."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "timeline",
        help="print a case's events and deadlines in date order",
        description="Read a case-history document (docs/case-format.md), check it, and print "
        "its events interleaved with every statutory deadline and how each stands.",
    )
    parser.add_argument("case", type=Path, metavar="CASE.json", help="the case-history document")
    parser.add_argument("--json", action="store_true", help="print the deadline report as JSON")
    parser.add_argument(
        "--family", action="store_true",
        help="under each deadline, the plain-English explanation for the family instead of "
        "the staff one",
    )
    parser.add_argument(
        "--as-of", type=_iso_date, metavar="YYYY-MM-DD",
        help="the day statuses are judged on (default: today in Europe/London)",
    )
    parser.add_argument(
        "--la", metavar="CODE",
        help="local authority ONS code for the calendar (default: the document's "
        "local_authority; neither: England bank holidays, no school closures)",
    )
    parser.set_defaults(handler=run)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run(args: argparse.Namespace) -> int:
    """Handler: print the timeline (or the JSON report); 2 on bad input."""
    try:
        document = _read(args.case)
        events = _events(document)
        la_code = args.la or document.get("local_authority")
        calendar = _calendar(la_code)
        projection = _project(document, events, calendar)
        as_of: dt.date = args.as_of or london_today()
        output = _output(args, document, la_code, events, projection, as_of, calendar)
    except BadInput as exc:
        print(f"ehc timeline: {args.case}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(output)
    return 0


def _output(
    args: argparse.Namespace,
    document: Mapping[str, Any],
    la_code: str | None,
    events: Sequence[CaseEvent],
    projection: Projection,
    as_of: dt.date,
    calendar: WorkingCalendar,
) -> str:
    """The whole output, built before anything is printed (nothing half-written)."""
    try:
        calendar.is_working_day(as_of)  # a day the calendar has no data for is refused
        if args.json:
            body = report(projection.deadlines, as_of, calendar)
            body["warnings"] = [
                {"event": None if w.index is None else w.index + 1, "key": w.key,
                 "instance": w.instance, "message": w.message}
                for w in projection.warnings
            ]
            return json.dumps(body, indent=2)
        header = _header(document, la_code, as_of)
        lines = render(events, projection.deadlines, as_of, calendar, family=args.family)
        return "\n".join([header, "", *lines, *_warning_lines(document, projection.warnings)])
    except CalendarGap as exc:
        raise BadInput(f"--as-of {as_of.isoformat()}: {exc.reason}") from None


def _warning_lines(document: Mapping[str, Any], warnings: Sequence[CaseWarning]) -> list[str]:
    once = list({w.message: w for w in reversed(warnings)}.values())[::-1]
    once.sort(key=lambda w: (w.index is None, w.index or 0))
    if not once:
        return []
    lines = ["", f"Warnings ({len(once)}):"]
    for warning in once:  # the same message about two deadlines is shown once
        where = _where(document, warning.index)
        about = f" [{warning.key}]" if warning.key else ""
        text = f"{where}{about}: {warning.message}" if where else warning.message
        lines += textwrap.wrap(text, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return lines


def _read(path: Path) -> dict[str, Any]:
    try:
        # utf-8-sig: a byte-order mark that an editor put at the start is not content.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read the file: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise BadInput(
            "not a case history: the JSON is nested too deeply to read (thousands of levels)"
        ) from None
    if not isinstance(document, dict):
        raise BadInput("the document must be a JSON object with an 'events' list")
    if not isinstance(document.get("events"), list):
        raise BadInput("the document has no 'events' list")
    for field in ("reference", "local_authority"):
        if document.get(field) is not None and not isinstance(document[field], str):
            raise BadInput(f"'{field}' must be a string")
        try:
            str(document.get(field) or "").encode("utf-8")
        except UnicodeEncodeError:
            raise BadInput(f"'{field}' is not valid text (it holds a lone surrogate)") from None
    return document


def _where(document: Mapping[str, Any], index: int | None) -> str:
    """``event #3 (final_plan_issued)``: an event as the document lists it."""
    if index is None:
        return ""
    raw = document["events"][index]
    kind = raw.get("type") if isinstance(raw, Mapping) else None
    return f"event #{index + 1}{f' ({kind})' if isinstance(kind, str) else ''}"


def _pointer(document: Mapping[str, Any], exc: EngineError) -> str:
    where = _where(document, exc.index)
    return f"{where}: {exc.reason}" if where else exc.reason


def _events(document: Mapping[str, Any]) -> list[CaseEvent]:
    try:
        return parse_events(document["events"])
    except EngineError as exc:
        raise BadInput(_pointer(document, exc)) from None


def _calendar(la_code: str | None) -> WorkingCalendar:
    try:
        return load_calendar(la_code)
    except UnknownLocalAuthority as exc:
        raise BadInput(exc.message) from None


def _project(
    document: Mapping[str, Any], events: Sequence[CaseEvent], calendar: WorkingCalendar
) -> Projection:
    try:
        return project_case(events, calendar)
    except EngineError as exc:
        raise BadInput(_pointer(document, exc)) from None
    except CalendarGap as exc:
        raise BadInput(exc.reason) from None


def _header(document: Mapping[str, Any], la_code: str | None, as_of: dt.date) -> str:
    reference = document.get("reference") or "(no reference)"
    if la_code:
        name = known_local_authorities().get(la_code.strip().upper(), "")
        where = f"{la_code} {name}".strip()
    else:
        where = "England (bank holidays only)"
    return f"Case {reference} | calendar: {where} | as of {as_of.isoformat()}"


def render(
    events: Sequence[CaseEvent],
    deadlines: Sequence[Deadline],
    as_of: dt.date,
    calendar: WorkingCalendar,
    *,
    family: bool = False,
) -> list[str]:
    """The timeline's lines: events and deadlines by date, events first on a shared day;
    under each deadline its staff explanation (or, ``family``, the plain one)."""
    rows: list[tuple[dt.date, int, list[str]]] = []
    for _, event in effective_history(events):
        rows.append((event_date(event), 0, [_line(event_date(event), "event", _describe(event))]))
    for deadline in deadlines:
        day = deadline.due or deadline.nominal
        text = f"{_name(deadline)} [{deadline.rule}]  {_standing(deadline, as_of, calendar)}"
        explanation = textwrap.wrap(
            deadline.plain_explanation if family else deadline.explanation, WIDTH,
            initial_indent=_INDENT, subsequent_indent=_INDENT,
        )
        rows.append((day, 1, [_line(day, "deadline", text), *explanation]))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [line for _, _, lines in rows for line in lines]


def _line(day: dt.date, what: str, text: str) -> str:
    return f"{day.strftime('%a')} {day.isoformat()}  {what:<8}  {text}"


def _describe(event: CaseEvent) -> str:
    fields = {k: v for k, v in dump_event(event).items() if k not in _QUIET_FIELDS}
    details = " ".join(f"{k}={_value(v)}" for k, v in fields.items())
    return f"{event.type} {details}".rstrip()


def _value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _name(deadline: Deadline) -> str:
    """The key, plus the instance where it tells repeated clocks apart."""
    if deadline.instance == deadline.trigger_date.isoformat():
        return deadline.key
    return f"{deadline.key} ({deadline.instance})"


def _standing(deadline: Deadline, as_of: dt.date, calendar: WorkingCalendar) -> str:
    status = status_on(deadline, as_of, calendar)
    late = days_late(deadline, as_of)
    text = status.value.replace("_", " ")
    if status is Status.DISAPPLIED:
        text = f"disapplied by {deadline.exception}: no date (nominal date shown)"
    elif status is Status.BREACHED and deadline.kind == "window" and deadline.premature_on:
        text = f"breached: acted on {deadline.premature_on.isoformat()}, inside the window"
    elif status is Status.BREACHED:
        text = f"BREACHED, {late} day{'s' if late != 1 else ''} late"
    elif status in (Status.MET_ON_TIME, Status.MET_LATE) and deadline.kind == "limit":
        met = deadline.met_on.isoformat() if deadline.met_on else "?"
        text += f" on {met}" + (f", {late} day{'s' if late != 1 else ''} late" if late else "")
    elif deadline.kind == "window":
        text = "window ended" if status is Status.MET_ON_TIME else "window open"
    elif deadline.kind == "date":
        text = "date passed" if status is Status.MET_ON_TIME else "date to come"
    return text if deadline.statutory else f"{text} (advisory)"
