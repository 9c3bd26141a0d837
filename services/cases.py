"""A caseworker's use cases on cases: open one, record what happened (one event or a batch,
all or nothing), see a case whole, list and search the caseload, reassign, close.

Every function takes the engine to open its unit of work on, and -- where the day matters
-- an explicit ``as_of``; ``la_code`` (where given) is the caller's authority: a case of
another authority is ``NotFound``, exactly as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import directory, event_store
from db.case_queries import CaseFilter, CaseRow, list_cases
from db.deadline_rows import case_deadlines, deadline_from_row
from db.la_calendar import calendar_for
from db.outbox import OutboxEntry, entries
from db.schema import Case
from db.session import unit_of_work
from engine.errors import EngineError
from engine.events import dump_event, event_date
from engine.history import effective_history
from engine.stages import STAGE_TEXT, events_allowed, replay
from engine.status import Deadline, Status, days_late, spoken_for, status_on
from services import door
from services.advisers import named_advisers, vocabulary_for
from services.errors import InvalidInput, NotFound, translated

CLOSE_REASONS = ("plan_ceased", "moved_away", "request_withdrawn")
_BOOKKEEPING = {"type", "date", "id", "recorded_at", "recorded_by"}


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    type: str
    date: dt.date
    new: bool  # False: sent before (same id or content), nothing written now


@dataclass(frozen=True)
class Recorded:
    reference: str
    seq: int  # the case's events now: pass it back as ``expected_seq``
    events: tuple[RecordedEvent, ...]


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    date: dt.date
    type: str
    details: Mapping[str, Any]
    id: str | None
    recorded_at: dt.datetime
    recorded_by: str
    in_effect: bool  # False: withdrawn or superseded by a later correction


@dataclass(frozen=True)
class JudgedDeadline:
    deadline: Deadline
    status: Status
    days_late: int | None


@dataclass(frozen=True)
class CaseView:
    reference: str
    process: str
    la_code: str
    la_name: str
    caseworker: str
    caseworker_name: str
    team: str
    stage: str
    stage_text: str
    seq: int
    as_of: dt.date
    timeline: tuple[TimelineEntry, ...]
    deadlines: tuple[JudgedDeadline, ...]  # by due (or nominal) date
    told: tuple[OutboxEntry, ...]  # who was emailed about this case, newest first
    allowed_events: tuple[str, ...]  # what may be recorded next
    refused: str | None  # why the log no longer projects, if the rules changed under it


@dataclass(frozen=True)
class CaseSummary:
    case: CaseRow  # reference, process, stage, authority, caseworker, team
    next_deadline: JudgedDeadline | None


@dataclass(frozen=True)
class CasePage:
    cases: tuple[CaseSummary, ...]
    total: int
    offset: int
    limit: int


def open_case(
    engine: Engine, reference: str, *, process: str, caseworker: str, la_code: str, actor: str
) -> str:
    """Open a new case; its reference.

    Raises:
        InvalidInput: a reference, caseworker or actor too long or not one line of
            printable text (``services.door``).
    """
    door.name(reference, "case", door.REFERENCE_MAX)
    door.name(caseworker, "caseworker", door.USERNAME_MAX)
    door.name(actor, "user", door.USERNAME_MAX)
    door.name(la_code, "la", door.LA_CODE_MAX)
    with translated(), unit_of_work(engine, write=True) as session:
        _refuse_leaver(session, caseworker)
        case = directory.open_case(session, reference, process=process,
                                   caseworker=caseworker, la_code=la_code, actor=actor)
        return case.reference


def record_events(
    engine: Engine,
    reference: str,
    events: Sequence[Mapping[str, Any]],
    *,
    recorded_by: str,
    as_of: dt.date,
    expected_seq: int | None = None,
    la_code: str | None = None,
    adviser_types: Path | None = None,
) -> Recorded:
    """Append ``events`` to the case, all or none, after the engine has checked the whole
    new history; ``expected_seq`` refuses (``Conflict``) if someone recorded meanwhile.

    Raises:
        InvalidInput: a malformed event, one dated after ``as_of`` (today in London), or
        a recorder field (``services.door``); Refused: an event the rules refuse
        (``index`` names it); Conflict: the case changed; NotFound: no such case (for
        ``la_code``). Advisers are named by type (``services.advisers``;
        ``adviser_types`` is the authority's own additions, ``EHC_ADVISER_TYPES_FILE``).
    """
    if expected_seq is not None and expected_seq < 0:
        raise InvalidInput(f"expected seq {expected_seq} is below zero", field="expected_seq")
    door.name(recorded_by, "user", door.USERNAME_MAX)
    typed = door.live_events(events)
    with translated(), unit_of_work(engine, write=True) as session:
        case = case_in(session, reference, la_code)
        vocabulary = vocabulary_for(case.local_authority.code, adviser_types)
        checked = door.judged(named_advisers(typed, vocabulary), as_of=as_of)
        result = event_store.append(session, case, checked, expected_seq,
                                    recorded_by=recorded_by)
    done = [RecordedEvent(r.seq, r.event.type, event_date(r.event), new=True)
            for r in result.recorded]
    done += [RecordedEvent(r.seq, r.event.type, event_date(r.event), new=False)
             for r in result.repeats]
    return Recorded(result.reference, result.seq, tuple(sorted(done, key=lambda e: e.seq)))


def close_case(
    engine: Engine,
    reference: str,
    reason: str,
    *,
    on: dt.date,
    recorded_by: str,
    as_of: dt.date,
    la_code: str | None = None,
) -> Recorded:
    """Close the case (as a ``case_closed`` event): the LA's clocks stop."""
    if reason not in CLOSE_REASONS:
        raise InvalidInput(f"unknown reason {reason!r}: expected one of "
                           f"{', '.join(CLOSE_REASONS)}", field="reason")
    event = {"type": "case_closed", "date": on.isoformat(), "reason": reason}
    return record_events(engine, reference, [event], recorded_by=recorded_by, as_of=as_of,
                         la_code=la_code)


def reassign_case(
    engine: Engine, reference: str, caseworker: str, *, actor: str, la_code: str | None = None
) -> str:
    """Give the case to another caseworker of its authority; the new caseworker."""
    door.name(caseworker, "caseworker", door.USERNAME_MAX)
    door.name(actor, "user", door.USERNAME_MAX)
    with translated(), unit_of_work(engine, write=True) as session:
        case_in(session, reference, la_code)
        return directory.reassign_case(session, reference, caseworker,
                                       actor=actor).caseworker.username


def case_view(
    engine: Engine, reference: str, *, as_of: dt.date, la_code: str | None = None
) -> CaseView:
    """The case whole, judged on ``as_of``: timeline, deadlines, who was told."""
    with translated(), unit_of_work(engine) as session:
        case = case_in(session, reference, la_code)
        history = event_store.load(session, reference)
        calendar = calendar_for(case.local_authority)
        deadlines = [deadline_from_row(row) for row in case_deadlines(session, case.id)]
        told = entries(session, reference=reference, limit=200)
        worker = case.caseworker
        events = history.events
        try:
            in_effect = {index for index, _ in effective_history(events)}
            state = replay(events)
            refused = None
        except EngineError as exc:  # a log the current rules refuse is still shown whole
            in_effect, state, refused = set(range(len(events))), None, exc.reason
        repeated = spoken_for((reference, d) for d in deadlines)
        judged = tuple(
            JudgedDeadline(d, status_on(d, as_of, calendar), days_late(d, as_of))
            for d in sorted(deadlines, key=lambda d: (d.due or d.nominal, d.key, d.instance))
            if (reference, d.key, d.instance) not in repeated
        )
        stage = state.stage(case.process) if state else None
        return CaseView(
            reference=case.reference, process=case.process, la_code=case.local_authority.code,
            la_name=case.local_authority.name, caseworker=worker.username,
            caseworker_name=worker.name, team=worker.team.name,
            stage=stage.value if stage else "unknown",
            stage_text=STAGE_TEXT[stage] if stage else "the log no longer replays",
            seq=history.seq, as_of=as_of,
            timeline=tuple(
                TimelineEntry(
                    r.seq, event_date(r.event), r.event.type,
                    {k: v for k, v in dump_event(r.event).items() if k not in _BOOKKEEPING},
                    r.event.id, r.recorded_at, r.recorded_by,
                    i in in_effect or r.event.type == "event_withdrawn",
                )
                for i, r in enumerate(history.records)
            ),
            deadlines=judged, told=tuple(told),
            allowed_events=events_allowed(state, case.process) if state else (),
            refused=refused,
        )


def find_cases(
    engine: Engine,
    *,
    as_of: dt.date,
    la_code: str | None = None,
    caseworker: str | None = None,
    team: str | None = None,
    stage: str | None = None,
    search: str | None = None,
    due_by: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> CasePage:
    """The caseload, soonest next statutory deadline first, one page at a time."""
    if limit < 1 or offset < 0:
        raise InvalidInput("a page needs a limit of at least 1 and an offset of at least 0",
                           field="limit")
    filters = CaseFilter(la_code, caseworker, team, stage, search, due_by)
    with translated(), unit_of_work(engine) as session:
        rows, total = list_cases(session, filters, as_of=as_of, limit=limit, offset=offset)
        calendars: dict[str, Any] = {}
        summaries = []
        for row in rows:
            judged = None
            if row.next_deadline is not None:
                if row.la_code not in calendars:
                    calendars[row.la_code] = calendar_for(directory.get_la(session, row.la_code))
                d = row.next_deadline
                judged = JudgedDeadline(d, status_on(d, as_of, calendars[row.la_code]),
                                        days_late(d, as_of))
            summaries.append(CaseSummary(row, judged))
    return CasePage(tuple(summaries), total, offset, limit)


def case_in(session: Session, reference: str, la_code: str | None) -> Case:
    """The case, or ``NotFound`` -- also when it belongs to an authority other than
    ``la_code``, in the same words (the one authority check every case use case makes)."""
    case = directory.get_case(session, door.findable(reference))
    if la_code is not None and case.local_authority.code != la_code:
        raise NotFound(f"unknown case {reference!r}")  # exactly as if it did not exist
    return case


def _refuse_leaver(session: Session, username: str) -> None:
    worker = directory.get_caseworker(session, username)
    if worker.left_at is not None:
        raise InvalidInput(f"caseworker {username!r} has left: choose someone else",
                           field="caseworker")
