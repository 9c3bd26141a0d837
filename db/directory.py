"""Local authorities, teams, caseworkers and cases: adding them, finding them, and who to
contact about a case (its caseworker, their team manager, the LA's head of service)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from db import audit
from db.errors import AlreadyExists, NotFound, StoreError
from db.schema import PROCESSES, Case, Caseworker, LocalAuthority, Team


def get_la(session: Session, code: str) -> LocalAuthority:
    la = session.scalar(select(LocalAuthority).where(LocalAuthority.code == code))
    if la is None:
        known = session.scalars(select(LocalAuthority.code).order_by(LocalAuthority.code)).all()
        raise NotFound(
            f"unknown local authority {code!r} (known: {', '.join(known) or 'none yet'}; "
            "add one with `ehc staff la`)"
        )
    return la


def get_team(session: Session, name: str, la_code: str | None = None) -> Team:
    query = select(Team).join(LocalAuthority).where(Team.name == name)
    if la_code is not None:
        query = query.where(LocalAuthority.code == la_code)
    teams = session.scalars(query).all()
    if not teams:
        where = f" in {la_code}" if la_code else ""
        raise NotFound(f"unknown team {name!r}{where}")
    if len(teams) > 1:
        raise StoreError(f"team name {name!r} is used by several local authorities: give --la")
    return teams[0]


def get_caseworker(session: Session, username: str) -> Caseworker:
    worker = session.scalar(select(Caseworker).where(Caseworker.username == username))
    if worker is None:
        raise NotFound(f"unknown caseworker {username!r} (add them with `ehc staff caseworker`)")
    return worker


def get_case(session: Session, reference: str) -> Case:
    case = session.scalar(
        select(Case)
        .where(Case.reference == reference)
        .options(joinedload(Case.local_authority), joinedload(Case.caseworker))
    )
    if case is None:
        raise NotFound(f"unknown case {reference!r}")
    return case


def add_la(
    session: Session,
    code: str,
    name: str,
    *,
    actor: str,
    head_of_service_name: str | None = None,
    head_of_service_email: str | None = None,
) -> LocalAuthority:
    if session.scalar(select(LocalAuthority.id).where(LocalAuthority.code == code)):
        raise AlreadyExists(f"local authority {code!r} already exists")
    la = LocalAuthority(
        code=code,
        name=name,
        head_of_service_name=head_of_service_name,
        head_of_service_email=head_of_service_email,
    )
    _insert(session, la, f"local authority {code!r} already exists")
    audit.record(session, actor, "la_added", la_id=la.id, code=code, name=name)
    return la


def add_team(
    session: Session,
    la_code: str,
    name: str,
    *,
    actor: str,
    manager_name: str | None = None,
    manager_email: str | None = None,
) -> Team:
    la = get_la(session, la_code)
    taken = select(Team.id).where(Team.la_id == la.id, Team.name == name)
    if session.scalar(taken):
        raise AlreadyExists(f"team {name!r} already exists in {la_code}")
    team = Team(la_id=la.id, name=name, manager_name=manager_name, manager_email=manager_email)
    _insert(session, team, f"team {name!r} already exists in {la_code}")
    audit.record(session, actor, "team_added", la_id=la.id, team=name)
    return team


def add_caseworker(
    session: Session,
    username: str,
    name: str,
    *,
    team: str,
    actor: str,
    la_code: str | None = None,
    email: str | None = None,
) -> Caseworker:
    if session.scalar(select(Caseworker.id).where(Caseworker.username == username)):
        raise AlreadyExists(f"caseworker {username!r} already exists")
    found = get_team(session, team, la_code)
    worker = Caseworker(username=username, name=name, email=email, team_id=found.id)
    _insert(session, worker, f"caseworker {username!r} already exists")
    audit.record(
        session, actor, "caseworker_added", la_id=found.la_id, username=username, team=team
    )
    return worker


def open_case(
    session: Session,
    reference: str,
    *,
    process: str,
    caseworker: str,
    la_code: str,
    actor: str,
    opened_at: dt.datetime | None = None,
) -> Case:
    """Open a case for ``caseworker`` (who must work for ``la_code``)."""
    if process not in PROCESSES:
        raise StoreError(f"unknown process {process!r}: expected one of {', '.join(PROCESSES)}")
    if session.scalar(select(Case.id).where(Case.reference == reference)):
        raise AlreadyExists(f"case {reference!r} already exists")
    la = get_la(session, la_code)
    worker = get_caseworker(session, caseworker)
    if worker.team.la_id != la.id:
        raise StoreError(
            f"caseworker {caseworker!r} works for {worker.team.local_authority.code}, "
            f"not {la_code}"
        )
    case = Case(
        reference=reference,
        la_id=la.id,
        caseworker_id=worker.id,
        process=process,
        opened_at=opened_at or audit.utc_now(),
    )
    _insert(session, case, f"case {reference!r} already exists")
    audit.record(
        session, actor, "case_opened", case_id=case.id, la_id=la.id,
        reference=reference, process=process, caseworker=caseworker,
    )
    return case


def _insert(session: Session, row: object, taken: str) -> None:
    """Insert now, so a concurrent writer who took the same name gets a clear message."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise AlreadyExists(taken) from exc


@dataclass(frozen=True)
class Contact:
    role: str  # "caseworker", "team_manager", "head_of_service"
    name: str | None
    email: str | None


def contacts_for_case(session: Session, reference: str) -> tuple[Contact, ...]:
    """Who to tell about a case, nearest first: caseworker, team manager, head of service."""
    case = get_case(session, reference)
    worker = case.caseworker
    team = worker.team
    la = case.local_authority
    return (
        Contact("caseworker", worker.name, worker.email),
        Contact("team_manager", team.manager_name, team.manager_email),
        Contact("head_of_service", la.head_of_service_name, la.head_of_service_email),
    )


def reassign_case(session: Session, reference: str, caseworker: str, *, actor: str) -> Case:
    """Give case ``reference`` to ``caseworker`` (same authority, not a leaver); audited."""
    case = get_case(session, reference)
    worker = get_caseworker(session, caseworker)
    if worker.left_at is not None:
        raise StoreError(f"caseworker {caseworker!r} has left: choose someone else")
    if worker.team.la_id != case.la_id:
        raise StoreError(
            f"caseworker {caseworker!r} works for {worker.team.local_authority.code}, "
            f"not {case.local_authority.code}"
        )
    before = case.caseworker.username
    if worker.id != case.caseworker_id:
        case.caseworker_id = worker.id
        session.flush()
        session.refresh(case)
        audit.record(session, actor, "case_reassigned", case_id=case.id, la_id=case.la_id,
                     reference=reference, from_caseworker=before, to_caseworker=caseworker)
    return case


def caseworker_leaves(
    session: Session, username: str, successor: str, *, actor: str, at: dt.datetime | None = None
) -> list[str]:
    """Mark ``username`` as left and move every case of theirs to ``successor`` (one
    transaction, each move audited); the references moved."""
    leaver = get_caseworker(session, username)
    if leaver.left_at is not None:
        raise StoreError(f"caseworker {username!r} already left on {leaver.left_at:%Y-%m-%d}")
    if successor == username:
        raise StoreError("a leaver's cases must move to someone else")
    cases = session.scalars(
        select(Case).where(Case.caseworker_id == leaver.id).order_by(Case.reference)
    ).all()
    moved = [reassign_case(session, case.reference, successor, actor=actor).reference
             for case in cases]
    leaver.left_at = at or audit.utc_now()
    audit.record(session, actor, "caseworker_left", la_id=leaver.team.la_id,
                 username=username, successor=successor, cases_moved=len(moved))
    return moved


@dataclass(frozen=True)
class StaffLine:
    la_code: str
    la_name: str
    team: str | None
    manager: str | None
    username: str | None
    name: str | None
    left: bool


def list_staff(session: Session) -> list[StaffLine]:
    """Everyone, by local authority and team (authorities and teams with no one too)."""
    query = (
        select(LocalAuthority.code, LocalAuthority.name, Team.name, Team.manager_name,
               Caseworker.username, Caseworker.name, Caseworker.left_at)
        .join(Team, Team.la_id == LocalAuthority.id, isouter=True)
        .join(Caseworker, Caseworker.team_id == Team.id, isouter=True)
        .order_by(LocalAuthority.code, Team.name, Caseworker.username)
    )
    return [StaffLine(code, la_name, team, manager, user, name, left is not None)
            for code, la_name, team, manager, user, name, left in session.execute(query)]
