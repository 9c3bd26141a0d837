"""The deadlines the timeliness figures are counted over, for an authority or a team."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.deadline_rows import deadline_from_row
from db.directory import get_caseworker, get_team
from db.schema import Case, Caseworker, DeadlineRow, LocalAuthority
from engine.status import Deadline
from engine.timeliness import MEASURES


def measured_deadlines(
    session: Session,
    *,
    la_code: str | None = None,
    team: str | None = None,
    caseworker: str | None = None,
) -> list[Deadline]:
    """Every projected deadline that counts towards a timeliness measure (of an
    authority, a team or one caseworker's cases)."""
    query = (
        select(DeadlineRow)
        .join(Case, DeadlineRow.case_id == Case.id)
        .join(LocalAuthority, Case.la_id == LocalAuthority.id)
        .where(DeadlineRow.key.in_(MEASURES))
    )
    if caseworker is not None:
        query = query.where(Case.caseworker_id == get_caseworker(session, caseworker).id)
    if team is not None:
        query = query.join(Caseworker, Case.caseworker_id == Caseworker.id).where(
            Caseworker.team_id == get_team(session, team, la_code).id
        )
    elif la_code is not None:
        query = query.where(LocalAuthority.code == la_code)
    return [deadline_from_row(row) for row in session.scalars(query)]
