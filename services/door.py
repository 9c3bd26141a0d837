"""The door: what every entry point's input must pass before anything is written.

The engine checks an event on its own terms (``engine.events``: dates it can count
with, the Act, nesting, surrogates, NUL). What is left is judged here, the same for the
command line, an import, the web and the API, and the same on SQLite and PostgreSQL:

- today: an event cannot have happened after ``as_of`` (today in London, read by the
  entry point). A plan may lie ahead -- a review meeting's ``meeting_date``, an expected
  transfer's ``transfer_date``, a move's ``move_date``, a school closure -- but the
  event that records it is dated when it became known;
- the recorder: ``recorded_by`` / ``recorded_at`` are never event fields (the recorder is
  whoever is signed in). An ``ehc export`` file carries them; its import keeps them as
  ``imported_recorded_by`` / ``imported_recorded_at`` (``db.import_format``) -- who
  recorded it in the system it came from -- and the importer is the recorder;
- sizes: the columns' own lengths (``db.schema``), so PostgreSQL never refuses what SQLite
  took; and a name that goes into an email header (a case reference, a user name, a
  person's name or address) holds no control character.

Limits are stated in docs/storage.md ("What the door refuses").
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from db.errors import Problem
from db.import_format import IMPORTED_RECORDER, IncomingCase
from db.schema import Case, Caseworker, DeadlineRow, LocalAuthority, column_size
from engine.errors import InvalidEvent
from engine.events import (
    AdviceReceived,
    AdviceRequested,
    AppointmentNotKept,
    CaseEvent,
    ExceptionRecorded,
    parse_event,
)
from services.errors import InvalidInput

REFERENCE_MAX = column_size(Case, "reference")
USERNAME_MAX = column_size(Caseworker, "username")  # also who recorded or did something
NAME_MAX = column_size(Caseworker, "name")
EMAIL_MAX = column_size(Caseworker, "email")
LA_CODE_MAX = column_size(LocalAuthority, "code")
# An advice request's deadline is named by its advice_id, plus "#2" for a repeat.
ADVICE_ID_MAX = column_size(DeadlineRow, "instance") - 10
RECORDER_FIELDS = ("recorded_by", "recorded_at", *IMPORTED_RECORDER.values())


def name(value: str, field: str, limit: int) -> str:
    """``value`` if it fits ``limit`` characters on one line (it may go into an email
    header), else ``InvalidInput`` naming ``field``."""
    problem = name_problem(value, limit)
    if problem is not None:
        raise InvalidInput(f"{field}: {problem}", field=field)
    return value


def name_problem(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return f"expected text, not {type(value).__name__}"
    if len(value) > limit:
        return f"{len(value):,} characters is longer than the {limit} allowed"
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            return (f"character {position} ({char!r}) is a control character or not valid "
                    "text; a name is one line of printable text")
    return None


def live_events(events: Sequence[Any]) -> list[dict[str, Any]]:
    """Events typed in (command line, web, API) as mappings, before advisers are named.

    Raises:
        InvalidInput: not an object, or a recorder field (``field`` names it).
    """
    checked = []
    for index, data in enumerate(events):
        if not isinstance(data, Mapping):
            raise InvalidInput(f"an event must be an object, not {type(data).__name__}",
                               field="event", index=index)
        for key in RECORDER_FIELDS:
            if key in data:
                raise InvalidInput(
                    f"{key} is not an event field: the recorder is whoever is signed in, "
                    "and when is the moment it is recorded", field=key, index=index)
        checked.append(dict(data))
    return checked


def judged(events: Iterable[Mapping[str, Any]], *, as_of: dt.date) -> list[CaseEvent]:
    """Parse ``events`` and judge each against ``as_of``.

    Raises:
        InvalidInput: malformed (the engine's reason) or too late a date (``field``).
    """
    parsed = []
    for index, data in enumerate(events):
        try:
            event = parse_event(data, index=index)
        except InvalidEvent as exc:
            raise InvalidInput(exc.reason, field=_field_in(exc.reason, data),
                               index=index) from None
        problem = event_problem(event, as_of)
        if problem is not None:
            field, message = problem
            raise InvalidInput(message, field=field, index=index)
        parsed.append(event)
    return parsed


def event_problem(event: CaseEvent, as_of: dt.date) -> tuple[str, str] | None:
    """(field, message) for what the event says that cannot be true on ``as_of``."""
    for field in ("date", "received_on"):
        day = getattr(event, field, None)
        if isinstance(day, dt.date) and day > as_of:
            return field, (
                f"{event.type}: {field}: {day.isoformat()} is after today "
                f"({as_of.isoformat()}): record what has happened; a plan is recorded when "
                "it becomes known (e.g. review_meeting_scheduled dated today with a future "
                "meeting_date)")
    if isinstance(event, AdviceRequested | AdviceReceived | AppointmentNotKept
                  | ExceptionRecorded):
        if event.advice_id is not None and len(event.advice_id) > ADVICE_ID_MAX:
            return "advice_id", (
                f"{event.type}: advice_id: {len(event.advice_id):,} characters is longer "
                f"than the {ADVICE_ID_MAX} allowed")
    return None


def imported_cases(cases: Sequence[IncomingCase]) -> tuple[list[IncomingCase], list[Problem]]:
    """Bring an import file's cases to the door: the cases whose reference, authority and
    caseworker can be looked up, and every problem found, with its place. Their events
    are judged where the import parses them (``ImportJudge``).
    """
    problems = []
    kept = []
    for case in cases:
        bad = [Problem(case.where, f"{field} {_shown(value)}: {problem}")
               for field, value, limit in (("case", case.reference, REFERENCE_MAX),
                                           ("caseworker", case.caseworker, USERNAME_MAX),
                                           ("la", case.la, LA_CODE_MAX))
               if value is not None and (problem := name_problem(value, limit)) is not None]
        problems += bad
        if not bad:
            kept.append(case)
    return kept, problems


@dataclass(frozen=True)
class ImportJudge:
    """``event_problem`` on ``as_of`` for each event an import parses (a value, so that
    the import's worker processes can be given it)."""

    as_of: dt.date

    def __call__(self, event: CaseEvent) -> str | None:
        found = event_problem(event, self.as_of)
        return None if found is None else found[1]


def findable(reference: str) -> str:
    """A case reference to look up: one that could have been stored (no NUL, valid
    text); older references with other control characters can still be found."""
    if "\x00" in reference or any(unicodedata.category(c) == "Cs" for c in reference):
        raise InvalidInput(f"case {_shown(reference)}: not valid text (a NUL or a lone "
                           "surrogate): no case has that reference", field="case")
    return reference


def _field_in(reason: str, data: Mapping[str, Any]) -> str | None:
    """The field an engine reason names (``type: field: why`` or ``field: why``), else
    the one whose value it quotes (a check across fields: "2014-08-31 is before...")."""
    kind = data.get("type")
    rest = reason.removeprefix(f"{kind}: ") if isinstance(kind, str) else reason
    head, sep, _ = rest.partition(": ")
    field = head.split(".")[0]
    if sep and field.isidentifier():
        return field
    if rest.startswith("field name "):
        return next((key for key in data if repr(key) in rest), None)
    return next((key for key, value in data.items()
                 if key != "type" and isinstance(value, str) and value and value in rest), None)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "...")
