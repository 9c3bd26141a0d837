"""A manager's view of a caseload: per caseworker, how many open cases, how many deadlines
already breached and how many due soon -- for one team or the whole authority.

Breaches and "due soon" are the worklist's (``services.worklist``), so this page, the
morning worklist and the digest never disagree about a deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from db import directory
from db.caseload import cases_per_caseworker
from db.session import unit_of_work
from engine.status import Status
from services.errors import translated
from services.worklist import WorkItem, worklist


@dataclass(frozen=True)
class CaseworkerLoad:
    username: str
    name: str
    team: str
    left: bool
    cases: int  # open cases
    breached: int  # open deadlines past their due date
    due_soon: int  # open deadlines due within the worklist's horizon


@dataclass(frozen=True)
class Caseload:
    la_code: str
    team: str | None  # None: the whole authority
    as_of: dt.date
    caseworkers: tuple[CaseworkerLoad, ...]  # most breaches first, then most due soon
    breaches: tuple[WorkItem, ...]  # every breached deadline, longest overdue first

    @property
    def cases(self) -> int:
        return sum(c.cases for c in self.caseworkers)


def caseload(
    engine: Engine, *, la_code: str, as_of: dt.date, team: str | None = None
) -> Caseload:
    """The caseload of ``team`` (of authority ``la_code``), or of the whole authority.

    Raises:
        NotFound: no such team in ``la_code`` (another authority's team included).
    """
    with translated(), unit_of_work(engine) as session:
        la = directory.get_la(session, la_code)
        team_id = directory.get_team(session, team, la_code).id if team is not None else None
        counts = cases_per_caseworker(session, la_id=la.id, team_id=team_id)
        staff = [line for line in directory.list_staff(session)
                 if line.la_code == la_code and (team is None or line.team == team)]
    due = worklist(engine, as_of=as_of, la_code=la_code, team=team)
    breached: dict[str, int] = {}
    soon: dict[str, int] = {}
    for item in due.items:
        tally = breached if item.status is Status.BREACHED else soon
        tally[item.caseworker] = tally.get(item.caseworker, 0) + 1
    loads = [
        CaseworkerLoad(line.username, line.name or line.username, line.team or "", line.left,
                       counts.get(line.username, 0), breached.get(line.username, 0),
                       soon.get(line.username, 0))
        for line in staff if line.username is not None
        if not line.left or counts.get(line.username)
    ]
    loads.sort(key=lambda c: (-c.breached, -c.due_soon, c.username))
    breaches = tuple(item for item in due.items if item.status is Status.BREACHED)
    return Caseload(la_code, team, as_of, tuple(loads), breaches)
