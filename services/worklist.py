"""The caseworker's morning question: which deadlines are overdue or due soon on day D?

Read through the one read model (``db.deadline_rows.open_deadlines``), judged with the
engine's ``status_on`` against each authority's calendar, soonest first (so overdue items
lead). "Due soon" is counted in working days, as everywhere (``engine.status``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from calendars import load_calendar
from calendars.base import WorkingCalendar
from db.deadline_rows import open_deadlines
from db.directory import get_caseworker, get_la, get_team
from db.la_calendar import calendar_for
from db.schema import LocalAuthority
from db.session import unit_of_work
from engine.status import (
    DUE_SOON_WORKING_DAYS,
    Deadline,
    Status,
    days_late,
    due_soon_horizon,
    spoken_for,
    status_on,
)
from services.errors import InvalidInput, translated


@dataclass(frozen=True)
class WorkItem:
    reference: str
    la_code: str
    caseworker: str
    team: str
    deadline: Deadline
    status: Status
    days_late: int | None


@dataclass(frozen=True)
class Worklist:
    as_of: dt.date
    due_by: dt.date  # the last due date listed (as_of - 1 day for "overdue only")
    items: tuple[WorkItem, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.days_late)


def worklist(
    engine: Engine,
    *,
    as_of: dt.date,
    within_working_days: int = DUE_SOON_WORKING_DAYS,
    overdue_only: bool = False,
    caseworker: str | None = None,
    team: str | None = None,
    la_code: str | None = None,
) -> Worklist:
    """Open limits overdue or due within ``within_working_days`` working days of
    ``as_of`` (or only those already past it), for a caseworker, a team or an authority."""
    if within_working_days < 0:
        raise InvalidInput("the horizon cannot be negative", field="within")
    codes: dict[int, str] = {}
    with translated(), unit_of_work(engine) as session:
        scope: dict[str, Any] = {}
        home = get_la(session, la_code) if la_code is not None else None
        if caseworker is not None:
            worker = get_caseworker(session, caseworker)
            if home is not None and worker.team.la_id != home.id:
                raise InvalidInput(f"caseworker {caseworker!r} is not in {la_code}",
                                   field="caseworker")
            scope["caseworker_id"] = worker.id
            home = worker.team.local_authority
        if team is not None:
            found_team = get_team(session, team, la_code)
            scope["team_id"] = found_team.id
            home = found_team.local_authority
        elif home is not None and caseworker is None:
            scope["la_id"] = home.id
        # Working days are the scope's authority's; across authorities, England's.
        calendar = calendar_for(home) if home is not None else load_calendar(None)
        horizon = (as_of - dt.timedelta(days=1) if overdue_only
                   else due_soon_horizon(as_of, calendar, within_working_days))
        calendars: dict[int, WorkingCalendar] = {}
        items = []
        for row in open_deadlines(session, as_of=as_of, due_by=horizon, **scope):
            if row.la_id not in calendars:
                la_row = session.get(LocalAuthority, row.la_id)
                assert la_row is not None
                calendars[row.la_id] = calendar_for(la_row)
                codes[row.la_id] = la_row.code
            status = status_on(row.deadline, as_of, calendars[row.la_id],
                               due_soon_working_days=within_working_days)
            items.append(WorkItem(row.reference, codes[row.la_id], row.caseworker, row.team,
                                  row.deadline, status, days_late(row.deadline, as_of)))
    # One duty on one date is one line (R12c's combined date and its components).
    repeated = spoken_for((item.reference, item.deadline) for item in items)
    kept = tuple(item for item in items
                 if (item.reference, item.deadline.key, item.deadline.instance) not in repeated)
    return Worklist(as_of, horizon, kept)
