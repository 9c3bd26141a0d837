"""Bulk reads for the reports: every case of an authority (or team) with its whole log.

Two queries (cases, then their events in seq order) rather than one per case, so the
demo authority's 3,700 cases load in about a second. The event payloads are parsed here
(``to_record``), each with the instant it was recorded, so the services layer can judge a
history "as the system knew it" on any day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from calendars import WorkingCalendar
from db.directory import get_la, get_team
from db.event_store import RecordedEvent, to_record
from db.la_calendar import calendar_for
from db.schema import Case, CaseEventRow, Caseworker, LocalAuthority, Team


@dataclass(frozen=True)
class StoredCase:
    id: int
    reference: str
    authority: str
    team: str
    caseworker: str
    calendar: WorkingCalendar
    records: tuple[RecordedEvent, ...]


def stored_cases(
    session: Session, *, la_code: str | None = None, team: str | None = None
) -> list[StoredCase]:
    """Every case of ``la_code`` (or of ``team``; or of every authority), with its log."""
    query = (
        select(Case)
        .join(Caseworker, Case.caseworker_id == Caseworker.id)
        .options(joinedload(Case.local_authority), joinedload(Case.caseworker)
                 .joinedload(Caseworker.team))
        .order_by(Case.reference)
    )
    query = _narrowed(session, query, la_code, team)
    cases = list(session.scalars(query).unique())
    records: dict[int, list[RecordedEvent]] = {case.id: [] for case in cases}
    for row in _event_rows(session, la_code, team):
        if row.case_id in records:
            records[row.case_id].append(to_record(row))
    return [
        StoredCase(
            case.id, case.reference, case.local_authority.code, case.caseworker.team.name,
            case.caseworker.username, calendar_for(case.local_authority),
            tuple(records[case.id]),
        )
        for case in cases
    ]


def _narrowed(
    session: Session, query: Select[tuple[Case]], la_code: str | None, team: str | None
) -> Select[tuple[Case]]:
    if team is not None:
        return query.where(Caseworker.team_id == get_team(session, team, la_code).id)
    if la_code is not None:
        return query.where(Case.la_id == get_la(session, la_code).id)
    return query


def _event_rows(
    session: Session, la_code: str | None, team: str | None
) -> Iterator[CaseEventRow]:
    query = select(CaseEventRow).join(Case, CaseEventRow.case_id == Case.id)
    if team is not None:
        query = query.join(Caseworker, Case.caseworker_id == Caseworker.id).join(
            Team, Caseworker.team_id == Team.id
        ).where(Team.id == get_team(session, team, la_code).id)
    elif la_code is not None:
        query = query.join(LocalAuthority, Case.la_id == LocalAuthority.id).where(
            LocalAuthority.code == la_code
        )
    query = query.order_by(CaseEventRow.case_id, CaseEventRow.seq)
    yield from session.scalars(query.execution_options(yield_per=5000))


Recipient = tuple[str, str, str | None]  # (role, name, email)


def report_recipients(session: Session, la_code: str) -> tuple[int, str, list[Recipient]]:
    """The authority's id and name, and who gets its reports: each team manager and the
    head of service, as (role, name, email)."""
    la = get_la(session, la_code)
    teams = session.scalars(select(Team).where(Team.la_id == la.id).order_by(Team.name))
    people: list[Recipient] = [
        ("team_manager", team.manager_name or "", team.manager_email) for team in teams
        if team.manager_name or team.manager_email
    ]
    people.append(("head_of_service", la.head_of_service_name or "", la.head_of_service_email))
    return la.id, la.name, people
