"""The demo local authority as plain, immutable values (no database, no engine objects).

Cases carry their history as event dicts in the documented case-history format
(statutory-rules.md §12), exactly what a user would import, so the demo exercises the
same validation path as real data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["caseworker", "team_manager", "head_of_service"]
Process = Literal["assessment", "review"]
EventData = Mapping[str, Any]


@dataclass(frozen=True)
class StaffMember:
    """An invented member of staff; ``username`` is how the command line names them."""

    username: str
    name: str
    email: str
    role: Role
    team: str | None  # None for the head of service


@dataclass(frozen=True)
class Team:
    code: str
    name: str
    manager: str  # username of the team manager


@dataclass(frozen=True)
class Organisation:
    """The local authority's SEND service: who works where, and who escalations go to."""

    la_code: str
    la_name: str
    head_of_service: StaffMember
    teams: tuple[Team, ...]
    staff: tuple[StaffMember, ...]  # everyone, head of service included

    def caseworkers(self, team: str | None = None) -> tuple[StaffMember, ...]:
        return tuple(
            s for s in self.staff
            if s.role == "caseworker" and (team is None or s.team == team)
        )


@dataclass(frozen=True)
class DemoCase:
    """One case: metadata plus its history. Children are never named, only referenced."""

    reference: str
    process: Process
    caseworker: str  # username
    events: tuple[EventData, ...]


@dataclass(frozen=True)
class DemoLA:
    """A whole generated local authority, reproducible from ``(seed, as_of, scale)``."""

    organisation: Organisation
    cases: tuple[DemoCase, ...]
    seed: int
    as_of: dt.date

    @property
    def event_count(self) -> int:
        return sum(len(c.events) for c in self.cases)


@dataclass(frozen=True)
class Caseload:
    """A large synthetic caseload for benchmarks: staff up front, cases generated lazily."""

    organisation: Organisation
    cases: Iterable[DemoCase]
    size: int
