"""The SQL behind accounts, sessions and log-in attempts (``services.accounts`` decides).

Nothing here hashes or checks a password or decides a policy: these functions find, add
and change rows, and count. Every change is written in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.account_schema import LoginAttempt, User, WebSession
from db.errors import AlreadyExists
from db.schema import Caseworker, LocalAuthority, Team


@dataclass(frozen=True)
class UserRecord:
    """One user with the names of what they belong to."""

    id: int
    username: str
    la_id: int
    la_code: str
    la_name: str
    role: str
    caseworker_id: int | None
    caseworker: str | None
    team_id: int | None
    team: str | None
    password_hash: str | None
    active: bool


UserRow = tuple[User, str, str, str | None, str | None]


def _user_query() -> Select[UserRow]:
    # Outer joins: the caseworker's and team's names are None when there is no such link.
    return (
        select(User, LocalAuthority.code, LocalAuthority.name,
               cast("ColumnElement[str | None]", Caseworker.username),
               cast("ColumnElement[str | None]", Team.name))
        .join(LocalAuthority, LocalAuthority.id == User.la_id)
        .outerjoin(Caseworker, Caseworker.id == User.caseworker_id)
        .outerjoin(Team, Team.id == User.team_id)
    )


def _record(row: UserRow) -> UserRecord:
    user, la_code, la_name, caseworker, team = row
    return UserRecord(
        id=user.id, username=user.username, la_id=user.la_id, la_code=la_code,
        la_name=la_name, role=user.role, caseworker_id=user.caseworker_id,
        caseworker=caseworker, team_id=user.team_id, team=team,
        password_hash=user.password_hash, active=user.active,
    )


def find_user(session: Session, username: str) -> UserRecord | None:
    row = session.execute(_user_query().where(User.username == username)).one_or_none()
    return None if row is None else _record(row._tuple())


def user_by_id(session: Session, user_id: int) -> UserRecord | None:
    row = session.execute(_user_query().where(User.id == user_id)).one_or_none()
    return None if row is None else _record(row._tuple())


def add_user(
    session: Session, username: str, *, la_id: int, role: str, caseworker_id: int | None,
    team_id: int | None, now: dt.datetime,
) -> int:
    """Insert now, so a concurrent writer who took the same name gets a clear message."""
    user = User(
        username=username, la_id=la_id, role=role, caseworker_id=caseworker_id,
        team_id=team_id, active=True, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise AlreadyExists(f"user {username!r} already exists") from exc
    return user.id


def update_user(session: Session, user_id: int, **values: object) -> None:
    session.execute(update(User).where(User.id == user_id).values(**values))


# --- sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRecord:
    user_id: int
    csrf_token: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime


def add_session(
    session: Session, *, token_hash: str, user_id: int, csrf_token: str, now: dt.datetime,
    expires_at: dt.datetime, address: str,
) -> None:
    session.add(WebSession(
        token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now,
        last_seen_at=now, expires_at=expires_at, address=address[:64],
    ))


def find_session(session: Session, token_hash: str) -> SessionRecord | None:
    row = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash))
    if row is None:
        return None
    return SessionRecord(row.user_id, row.csrf_token, row.created_at, row.last_seen_at,
                         row.expires_at)


def touch_session(session: Session, token_hash: str, now: dt.datetime) -> None:
    session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash).values(last_seen_at=now)
    )


def delete_session(session: Session, token_hash: str) -> int | None:
    """Remove one session; returns whose it was (None if there was none)."""
    user_id = session.scalar(
        select(WebSession.user_id).where(WebSession.token_hash == token_hash)
    )
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))
    return user_id


def delete_user_sessions(session: Session, user_id: int) -> int:
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_stale_sessions(session: Session, *, now: dt.datetime, idle_since: dt.datetime) -> None:
    """Sessions past their absolute expiry or idle since before ``idle_since``."""
    session.execute(
        delete(WebSession).where(
            (WebSession.expires_at <= now) | (WebSession.last_seen_at <= idle_since)
        )
    )


# --- log-in attempts -----------------------------------------------------------------------


def add_attempt(
    session: Session, *, username: str, address: str, succeeded: bool, now: dt.datetime,
) -> None:
    session.add(LoginAttempt(at=now, username=username[:100], address=address[:64],
                             succeeded=succeeded))


def failures_for_username(
    session: Session, username: str, since: dt.datetime,
) -> tuple[int, dt.datetime | None]:
    """Failed attempts at ``username`` since ``since`` and since its last success:
    (how many, the oldest of them)."""
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True),
            LoginAttempt.at >= since,
        )
    )
    start = max(since, last_success) if last_success is not None else since
    return _failures(session, LoginAttempt.username == username, start)


def failures_from_address(
    session: Session, address: str, since: dt.datetime,
) -> tuple[int, dt.datetime | None]:
    return _failures(session, LoginAttempt.address == address, since)


def _failures(
    session: Session, condition: object, since: dt.datetime,
) -> tuple[int, dt.datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            condition,  # type: ignore[arg-type]
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    ).one()
    return int(count), oldest


def delete_attempts_before(session: Session, before: dt.datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))
