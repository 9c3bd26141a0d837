"""The caseload as a list: cases filtered by authority, caseworker, team, stage or
reference, each with its next open statutory deadline, soonest first (no deadline last)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.deadline_rows import deadline_from_row
from db.schema import Case, Caseworker, DeadlineRow, LocalAuthority, Team
from engine.status import Deadline


@dataclass(frozen=True)
class CaseFilter:
    la_code: str | None = None
    caseworker: str | None = None  # username
    team: str | None = None
    stage: str | None = None
    search: str | None = None  # part of the reference, any case
    due_by: dt.date | None = None  # only cases with an open deadline due by then


@dataclass(frozen=True)
class CaseRow:
    reference: str
    process: str
    stage: str | None
    la_code: str
    caseworker: str
    caseworker_name: str
    team: str
    next_deadline: Deadline | None


def list_cases(
    session: Session, filters: CaseFilter, *, as_of: dt.date, limit: int, offset: int = 0
) -> tuple[list[CaseRow], int]:
    """One page of cases (soonest next deadline first) and how many match in all."""
    d = DeadlineRow
    is_open = (d.kind == "limit", d.due.is_not(None), d.trigger_date <= as_of,
               or_(d.met_on.is_(None), d.met_on > as_of))
    next_due = (
        select(func.min(d.due)).where(d.case_id == Case.id, *is_open)
        .correlate(Case).scalar_subquery().label("next_due")
    )
    query = (
        select(Case.id, Case.reference, Case.process, Case.stage, LocalAuthority.code,
               Caseworker.username, Caseworker.name, Team.name, next_due)
        .join(LocalAuthority, LocalAuthority.id == Case.la_id)
        .join(Caseworker, Caseworker.id == Case.caseworker_id)
        .join(Team, Team.id == Caseworker.team_id)
    )
    if filters.la_code is not None:
        query = query.where(LocalAuthority.code == filters.la_code)
    if filters.caseworker is not None:
        query = query.where(Caseworker.username == filters.caseworker)
    if filters.team is not None:
        query = query.where(Team.name == filters.team)
    if filters.stage is not None:
        query = query.where(Case.stage == filters.stage)
    if filters.search:
        pattern = "%" + filters.search.replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        query = query.where(Case.reference.ilike(pattern, escape="\\"))
    if filters.due_by is not None:
        query = query.where(next_due <= filters.due_by)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.execute(
        query.order_by(next_due.is_(None), next_due, Case.reference).limit(limit).offset(offset)
    ).all()
    nexts = _next_deadlines(session, [row[0] for row in page], as_of)
    rows = [
        CaseRow(reference, process, stage, la_code, user, name, team, nexts.get(case_id))
        for case_id, reference, process, stage, la_code, user, name, team, _ in page
    ]
    return rows, total


def _next_deadlines(session: Session, case_ids: list[int], as_of: dt.date) -> dict[int, Deadline]:
    d = DeadlineRow
    query = (
        select(d)
        .where(d.case_id.in_(case_ids), d.kind == "limit", d.due.is_not(None),
               d.trigger_date <= as_of, or_(d.met_on.is_(None), d.met_on > as_of))
        .order_by(d.case_id, d.due, d.key, d.instance)
    )
    found: dict[int, Deadline] = {}
    for row in session.scalars(query):
        found.setdefault(row.case_id, deadline_from_row(row))
    return found
