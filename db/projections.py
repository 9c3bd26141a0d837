"""Re-deriving the ``deadlines`` projection from the log: one case, every case, or every
case of a local authority whose calendar data has just changed (audited per deadline)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from calendars import CalendarDataError, parse_calendar_data
from db import audit
from db.deadline_rows import DeadlineChange, deadlines_of_cases, rewrite_deadlines
from db.directory import get_la
from db.errors import CalendarRejected
from db.event_store import to_record
from db.la_calendar import calendar_for
from db.progress import Progress, silent
from db.schema import Case, CaseEventRow, LocalAuthority
from engine.deadlines import project_case
from engine.errors import EngineError
from engine.events import CaseEvent


@dataclass
class Reprojection:
    cases: int = 0
    changed: dict[str, list[DeadlineChange]] = field(default_factory=dict)  # by case reference
    failed: dict[str, str] = field(default_factory=dict)  # reference -> engine's reason


def rebuild_all(
    session: Session, *, actor: str = "system", progress: Progress = silent
) -> Reprojection:
    """Re-project every case from its log (e.g. after the rules changed)."""
    cases = session.scalars(select(Case).options(joinedload(Case.local_authority))).all()
    report = _reproject(session, cases, progress)
    audit.record(
        session, actor, "projections_rebuilt",
        cases=report.cases, changed=len(report.changed), failed=sorted(report.failed),
    )
    return report


@dataclass(frozen=True)
class CalendarLoad:
    la_code: str
    unchanged: bool
    version: str | None
    reprojection: Reprojection


def load_calendar_data(
    session: Session, text: str, *, actor: str, source: str = "", progress: Progress = silent
) -> CalendarLoad:
    """Store an LA's calendar data, re-project its cases, audit each deadline that moved.

    Raises:
        CalendarRejected: the text is not valid calendar data (every problem listed).
        NotFound: the data names a local authority the store does not have.
    """
    try:
        data = parse_calendar_data(text, source=source)
    except CalendarDataError as exc:
        raise CalendarRejected(str(exc)) from None
    la = get_la(session, data.la_code)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if la.calendar_hash == digest:
        return CalendarLoad(la.code, unchanged=True, version=la.calendar_version,
                            reprojection=Reprojection())
    old_version = la.calendar_version
    la.calendar_data = text
    la.calendar_hash = digest
    la.calendar_version = str(int(old_version or 0) + 1)
    la.calendar_loaded_at = audit.utc_now()
    cases = session.scalars(select(Case).where(Case.la_id == la.id)).all()
    report = _reproject(session, cases, progress)
    audit.record(
        session, actor, "calendar_loaded", la_id=la.id, source=source, sha256=digest,
        old_version=old_version, new_version=la.calendar_version, cases=report.cases,
        failed=report.failed,
    )
    for reference, changes in report.changed.items():
        case_id = next(case.id for case in cases if case.reference == reference)
        for change in changes:
            audit.record(
                session, actor, "deadline_changed", case_id=case_id, la_id=la.id,
                cause="calendar_loaded", calendar_version=la.calendar_version,
                **change.as_detail(),
            )
    return CalendarLoad(la.code, unchanged=False, version=la.calendar_version,
                        reprojection=report)


def fill_missing_stages(session: Session) -> int:
    """Project the cases that have events but no stage yet (those recorded before
    ``cases.stage`` existed); how many there were."""
    has_events = select(CaseEventRow.case_id).where(CaseEventRow.case_id == Case.id).exists()
    cases = list(session.scalars(select(Case).where(Case.stage.is_(None), has_events)))
    if cases:
        _reproject(session, cases)
    return len(cases)


def _reproject(
    session: Session, cases: Sequence[Case], progress: Progress = silent
) -> Reprojection:
    """Re-project ``cases`` with two bulk reads; a case the engine now refuses keeps its
    old rows and is reported (its log is never touched)."""
    report = Reprojection(cases=len(cases))
    ids = [case.id for case in cases]
    events: defaultdict[int, list[CaseEvent]] = defaultdict(list)
    for chunk in _chunks(ids):
        query = select(CaseEventRow).where(CaseEventRow.case_id.in_(chunk))
        for event_row in session.scalars(query.order_by(CaseEventRow.case_id, CaseEventRow.seq)):
            events[event_row.case_id].append(to_record(event_row).event)
    rows = deadlines_of_cases(session, ids)
    now = audit.utc_now()
    calendars: dict[int, LocalAuthority] = {}
    for done, case in enumerate(cases, start=1):
        progress(done, len(cases))
        la = calendars.setdefault(case.la_id, case.local_authority)
        try:
            projection = project_case(events[case.id], calendar_for(la))
        except EngineError as exc:
            report.failed[case.reference] = str(exc)
            continue
        changes = rewrite_deadlines(session, case.id, projection.deadlines, now=now,
                                    existing=rows[case.id])
        case.stage = projection.state.stage(case.process).value
        if changes:
            report.changed[case.reference] = changes
    return report


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
