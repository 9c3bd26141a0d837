"""Bulk import (all or nothing, re-runnable) and export (re-importable) of case histories.

An import is checked as a whole before anything is written: every event is validated,
every case's resulting history goes through the engine, and every problem is collected
with its line. Only when there are none are cases opened and events appended, all in the
caller's one transaction. Events already on file (same id, or same content at the same
occurrence when they carry no id) are recognised, so re-running an import adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from db import audit
from db.directory import get_case, get_caseworker, get_la
from db.errors import EventRefused, ImportRejected, Problem, StoreError
from db.event_store import PreparedAppend, prepare, to_record, write
from db.import_format import IncomingCase
from db.progress import Progress, silent
from db.schema import PROCESSES, Case, CaseEventRow, Caseworker, LocalAuthority
from engine.errors import InvalidEvent
from engine.events import CaseEvent, dump_event, parse_event

EXPORT_FORMAT = "ehc-cases"
EXPORT_VERSION = 1


@dataclass(frozen=True)
class ImportReport:
    cases_opened: int
    cases_touched: int
    events_added: int
    events_already_present: int


def import_cases(
    session: Session,
    cases: Sequence[IncomingCase],
    *,
    actor: str,
    problems: Sequence[Problem] = (),
    source: str = "",
    progress: Progress = silent,
) -> ImportReport:
    """Import ``cases`` into the caller's transaction, or raise ``ImportRejected`` listing
    ``problems`` (from reading the file) plus every problem found here."""
    plans, found = _plan_all(session, cases, problems, progress)
    if found:
        raise ImportRejected(found)
    return _write_all(session, plans, actor=actor, source=source)


@dataclass(frozen=True)
class ImportCheck:
    would: ImportReport  # what importing now would write
    problems: tuple[Problem, ...]  # what would refuse it (empty: it would be written)


def check_cases(
    session: Session,
    cases: Sequence[IncomingCase],
    *,
    problems: Sequence[Problem] = (),
    progress: Progress = silent,
) -> ImportCheck:
    """Everything ``import_cases`` checks, against the store as it is, writing nothing (a
    dry run): what it would add, and every problem that would refuse it."""
    plans, found = _plan_all(session, cases, problems, progress)
    fresh = [len(plan.fresh) for _, plan, _ in plans]
    would = ImportReport(
        cases_opened=sum(is_new for _, _, is_new in plans),
        cases_touched=sum(n > 0 for n in fresh),
        events_added=sum(fresh),
        events_already_present=sum(len(plan.repeats) for _, plan, _ in plans),
    )
    return ImportCheck(would, tuple(found))


def _plan_all(
    session: Session, cases: Sequence[IncomingCase], problems: Sequence[Problem],
    progress: Progress,
) -> tuple[list[tuple[IncomingCase, PreparedAppend, bool]], list[Problem]]:
    found = list(problems)
    plans: list[tuple[IncomingCase, PreparedAppend, bool]] = []
    known = _Known(session, [incoming.reference for incoming in cases])
    for done, incoming in enumerate(cases, start=1):
        progress(done, len(cases))
        try:
            case, is_new = _case_for(known, incoming)
        except StoreError as exc:
            found.append(Problem(incoming.where, f"case {incoming.reference}: {exc}"))
            continue
        events = _parse_all(incoming, found)
        if events is None:
            continue
        try:
            plans.append((incoming, prepare(session, case, events, match_content=True), is_new))
        except EventRefused as exc:
            where = incoming.events[exc.index].where if exc.index is not None else incoming.where
            found.append(Problem(where, f"case {incoming.reference}: {exc.reason}"))
    return plans, found


def export_cases(
    session: Session, reference: str | None = None, *, progress: Progress = silent
) -> dict[str, Any]:
    """Case histories as one JSON-ready document that ``import`` accepts back."""
    query = select(Case).options(
        joinedload(Case.local_authority), joinedload(Case.caseworker)
    ).order_by(Case.reference)
    if reference is not None:
        query = query.where(Case.id == get_case(session, reference).id)
    documents = []
    found = session.scalars(query).unique().all()
    for done, case in enumerate(found, start=1):
        progress(done, len(found))
        rows = session.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.seq)
        )
        documents.append(
            {
                "reference": case.reference,
                "local_authority": case.local_authority.code,
                "process": case.process,
                "caseworker": case.caseworker.username,
                "opened_at": case.opened_at.isoformat(),
                "events": [_exported_event(row) for row in rows],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": audit.utc_now().isoformat(),
        "cases": documents,
    }


def _exported_event(row: CaseEventRow) -> dict[str, Any]:
    """The event as recorded, with when and by whom from the row: the recorder is never
    what an event says. Who recorded it in an earlier system stays apart, as
    ``imported_recorded_by``/``_at`` (an older row may still carry it as ``recorded_*``)."""
    record = to_record(row)
    data = dump_event(record.event)
    for key in ("recorded_by", "recorded_at"):
        if key in data:
            data.setdefault(f"imported_{key}", data.pop(key))
    return {**data, "recorded_at": record.recorded_at.isoformat(),
            "recorded_by": record.recorded_by}


class _Known:
    """The cases, local authorities and caseworkers an import names, each read once."""

    def __init__(self, session: Session, references: Sequence[str]) -> None:
        self.session = session
        self.cases: dict[str, Case] = {}
        for start in range(0, len(references), 500):
            query = select(Case).where(Case.reference.in_(references[start : start + 500]))
            for case in session.scalars(query.options(
                joinedload(Case.local_authority), joinedload(Case.caseworker)
            )):
                self.cases[case.reference] = case
        self._las: dict[str, LocalAuthority] = {}
        self._workers: dict[str, Caseworker] = {}

    def la(self, code: str) -> LocalAuthority:
        if code not in self._las:
            self._las[code] = get_la(self.session, code)
        return self._las[code]

    def caseworker(self, username: str) -> Caseworker:
        if username not in self._workers:
            self._workers[username] = get_caseworker(self.session, username)
        return self._workers[username]


def _case_for(known: _Known, incoming: IncomingCase) -> tuple[Case, bool]:
    """The existing case (checked against the file), or a new one not yet added."""
    case = known.cases.get(incoming.reference)
    if case is None:
        return _new_case(known, incoming), True
    for label, given, actual in (
        ("la", incoming.la, case.local_authority.code),
        ("process", incoming.process, case.process),
        ("caseworker", incoming.caseworker, case.caseworker.username),
    ):
        if given is not None and given != actual:
            raise StoreError(f"already exists with {label} {actual!r}, the file says {given!r}")
    return case, False


def _new_case(known: _Known, incoming: IncomingCase) -> Case:
    la_code, process, username = incoming.la, incoming.process, incoming.caseworker
    if la_code is None or process is None or username is None:
        missing = [n for n in ("la", "process", "caseworker") if getattr(incoming, n) is None]
        raise StoreError(f"is new, so the file must give its {', '.join(missing)}")
    if process not in PROCESSES:
        raise StoreError(f"unknown process {process!r} (expected assessment or review)")
    la = known.la(la_code)
    worker = known.caseworker(username)
    if worker.team.la_id != la.id:
        raise StoreError(f"caseworker {worker.username!r} does not work for {la.code}")
    case = Case(
        reference=incoming.reference, la_id=la.id, caseworker_id=worker.id,
        process=process, opened_at=incoming.opened_at or audit.utc_now(),
    )
    case.local_authority = la  # transient: added to the session only when written
    return case


def _parse_all(incoming: IncomingCase, found: list[Problem]) -> list[CaseEvent] | None:
    events: list[CaseEvent] = []
    before = len(found)
    for item in incoming.events:
        try:
            events.append(parse_event(item.data))
        except InvalidEvent as exc:
            found.append(Problem(item.where, f"case {incoming.reference}: {exc.reason}"))
    return events if len(found) == before else None


def _write_all(
    session: Session,
    plans: Sequence[tuple[IncomingCase, PreparedAppend, bool]],
    *,
    actor: str,
    source: str,
) -> ImportReport:
    now = audit.utc_now()
    new = [(incoming, plan) for incoming, plan, is_new in plans if is_new]
    session.add_all(plan.case for _, plan in new)
    session.flush()  # one round of inserts gives every new case its id
    for incoming, plan in new:
        audit.record(
            session, actor, "case_opened", case_id=plan.case.id, la_id=plan.case.la_id,
            at=now, reference=plan.case.reference, process=plan.case.process,
            caseworker=incoming.caseworker, via="import",
        )
    opened = len(new)
    added = present = touched = 0
    for _, plan, _ in plans:
        result = write(session, plan, actor, savepoint=False)
        added += len(result.recorded)
        present += len(result.repeats)
        touched += bool(result.recorded)
    report = ImportReport(opened, touched, added, present)
    audit.record(session, actor, "import", at=now, source=source, **report.__dict__)
    return report
