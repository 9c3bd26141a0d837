"""Putting a generated local authority into the case store, through its public API.

Staff go in with ``db.directory`` and cases with the bulk import (``db.transfer``), so
the demo exercises the same validation, projection and audit as a real caseload. The
caller owns the transaction: one unit of work makes the whole load all or nothing, and
running it again with the same seed and date adds nothing (existing staff are kept and
the import recognises every event already on file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import directory
from db.errors import NotFound
from db.import_format import IncomingCase, IncomingEvent
from db.progress import Progress, silent
from db.schema import Case, Caseworker, DeadlineRow, LocalAuthority, Team
from db.transfer import ImportReport, import_cases
from demo.model import DemoCase, Organisation

DEMO_ACTOR = "ehc-demo"
OPENED_AT = dt.time(9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class LoadReport:
    staff_added: int
    cases_opened: int
    events_added: int
    events_already_present: int


def load_organisation(session: Session, org: Organisation, *, actor: str = DEMO_ACTOR) -> int:
    """Add the LA, its teams and caseworkers unless already there; returns how many rows
    were added. Existing ones are left as they are."""
    added = 0
    try:
        directory.get_la(session, org.la_code)
    except NotFound:
        directory.add_la(
            session, org.la_code, org.la_name, actor=actor,
            head_of_service_name=org.head_of_service.name,
            head_of_service_email=org.head_of_service.email,
        )
        added += 1
    existing_teams = set(
        session.scalars(
            select(Team.name).join(LocalAuthority).where(LocalAuthority.code == org.la_code)
        )
    )
    team_names = {team.code: team.name for team in org.teams}
    by_username = {member.username: member for member in org.staff}
    for team in org.teams:
        if team.name not in existing_teams:
            manager = by_username[team.manager]
            directory.add_team(
                session, org.la_code, team.name, actor=actor,
                manager_name=manager.name, manager_email=manager.email,
            )
            added += 1
    existing_workers = set(session.scalars(select(Caseworker.username)))
    for worker in org.caseworkers():
        if worker.username not in existing_workers:
            directory.add_caseworker(
                session, worker.username, worker.name, team=team_names[worker.team or ""],
                la_code=org.la_code, email=worker.email, actor=actor,
            )
            added += 1
    return added


def load_cases(
    session: Session, la_code: str, cases: Iterable[DemoCase], *, actor: str = DEMO_ACTOR,
    source: str = "ehc demo", progress: Progress = silent,
) -> ImportReport:
    """Import ``cases`` into the caller's transaction (all or nothing: ``ImportRejected``
    lists every problem and nothing is written)."""
    return import_cases(session, incoming_cases(la_code, cases), actor=actor, source=source,
                        progress=progress)


def incoming_cases(la_code: str, cases: Iterable[DemoCase]) -> list[IncomingCase]:
    """Generated cases as an import's (what ``load_cases`` imports)."""
    return [_incoming(la_code, case, n) for n, case in enumerate(cases, start=1)]


def load_in_batches(
    session: Session, la_code: str, cases: Iterable[DemoCase], *, batch: int = 2000,
    actor: str = DEMO_ACTOR,
) -> Iterator[ImportReport]:
    """Import a large caseload ``batch`` cases at a time, committing after each batch so
    memory stays flat (for benchmarks; a batch is still all or nothing)."""
    iterator = iter(cases)
    while chunk := list(islice(iterator, batch)):
        report = load_cases(session, la_code, chunk, actor=actor, source="benchmark")
        session.commit()
        yield report


@dataclass(frozen=True)
class StoredCounts:
    cases: int
    deadlines: int


def stored_counts(session: Session, la_code: str) -> StoredCounts:
    """How many cases and projected deadlines the store holds for ``la_code``."""
    la_id = select(LocalAuthority.id).where(LocalAuthority.code == la_code).scalar_subquery()
    cases = session.scalar(select(func.count()).select_from(Case).where(Case.la_id == la_id))
    deadlines = session.scalar(
        select(func.count()).select_from(DeadlineRow).join(Case).where(Case.la_id == la_id)
    )
    return StoredCounts(cases=cases or 0, deadlines=deadlines or 0)


def _incoming(la_code: str, case: DemoCase, number: int) -> IncomingCase:
    where = f"demo case #{number}"
    first_day = dt.date.fromisoformat(next(e["date"] for e in case.events if "date" in e))
    return IncomingCase(
        reference=case.reference,
        where=where,
        la=la_code,
        process=case.process,
        caseworker=case.caseworker,
        opened_at=dt.datetime.combine(first_day, OPENED_AT),
        events=[
            IncomingEvent(where=f"{where}, event {i}", data=dict(event))
            for i, event in enumerate(case.events, start=1)
        ],
    )
