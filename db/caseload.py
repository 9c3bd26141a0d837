"""How many cases each caseworker holds: the column a team manager's page starts from."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.schema import Case, Caseworker, Team


def cases_per_caseworker(
    session: Session, *, la_id: int, team_id: int | None = None
) -> dict[str, int]:
    """Open (not closed) cases by caseworker username, for an authority or one team;
    caseworkers with none are left out."""
    query = (
        select(Caseworker.username, func.count(Case.id))
        .join(Case, Case.caseworker_id == Caseworker.id)
        .join(Team, Team.id == Caseworker.team_id)
        .where(Team.la_id == la_id, or_(Case.stage.is_(None), Case.stage != "closed"))
        .group_by(Caseworker.username)
    )
    if team_id is not None:
        query = query.where(Team.id == team_id)
    return {username: count for username, count in session.execute(query)}
