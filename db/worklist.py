"""The caseworker's morning question: which deadlines are overdue or due soon on day D?

Read from the ``deadlines`` projection (indexed on due date), then judged with the engine's
``status_on`` against each LA's calendar. Sorted by due date, so overdue items come first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.deadline_rows import deadline_from_row
from db.directory import get_caseworker, get_team
from db.la_calendar import calendar_for
from db.schema import Case, Caseworker, DeadlineRow, LocalAuthority, Team
from engine.status import Deadline, Status, days_late, spoken_for, status_on


@dataclass(frozen=True)
class WorkItem:
    reference: str
    la_code: str
    caseworker: str
    team: str
    deadline: Deadline
    status: Status
    days_late: int | None


def worklist(
    session: Session,
    *,
    as_of: dt.date,
    within_days: int = 10,
    overdue_only: bool = False,
    caseworker: str | None = None,
    team: str | None = None,
    la_code: str | None = None,
) -> list[WorkItem]:
    """Open limits due on or before ``as_of + within_days`` (or only those already past
    ``as_of``), optionally for one caseworker or team, judged as they stood on ``as_of``."""
    last_day = as_of - dt.timedelta(days=1) if overdue_only else as_of + dt.timedelta(within_days)
    query = (
        select(DeadlineRow, Case.reference, Caseworker.username, Team.name, LocalAuthority)
        .join(Case, DeadlineRow.case_id == Case.id)
        .join(Caseworker, Case.caseworker_id == Caseworker.id)
        .join(Team, Caseworker.team_id == Team.id)
        .join(LocalAuthority, Case.la_id == LocalAuthority.id)
        .where(
            DeadlineRow.kind == "limit",
            DeadlineRow.due.is_not(None),
            DeadlineRow.due <= last_day,
            DeadlineRow.trigger_date <= as_of,
            or_(DeadlineRow.met_on.is_(None), DeadlineRow.met_on > as_of),
        )
        .order_by(DeadlineRow.due, Case.reference, DeadlineRow.key, DeadlineRow.instance)
    )
    if caseworker is not None:
        query = query.where(Case.caseworker_id == get_caseworker(session, caseworker).id)
    if team is not None:
        query = query.where(Caseworker.team_id == get_team(session, team, la_code).id)
    elif la_code is not None:
        query = query.where(LocalAuthority.code == la_code)
    items = []
    for row, reference, username, team_name, la in session.execute(query):
        deadline = deadline_from_row(row)
        items.append(
            WorkItem(
                reference=reference,
                la_code=la.code,
                caseworker=username,
                team=team_name,
                deadline=deadline,
                status=status_on(deadline, as_of, calendar_for(la)),
                days_late=days_late(deadline, as_of),
            )
        )
    # One duty on one date is one line (R12c's combined date and its components).
    repeated = spoken_for((item.reference, item.deadline) for item in items)
    return [
        item for item in items
        if (item.reference, item.deadline.key, item.deadline.instance) not in repeated
    ]
