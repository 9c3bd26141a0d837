"""Accounts and sessions: who may sign in to the web application, and who is signed in.

Use cases: ``create_user``, ``set_password``, ``set_role``, ``deactivate`` (each audited
with who did it), ``authenticate`` (rate-limited per account and per client address, every
success and failure audited -- never the password), and ``start_session`` /
``lookup_session`` / ``end_session`` for the server-side sessions the web app keeps.

Each takes the ``Engine`` and opens its own units of work: a failed log-in must be
recorded (it is what the rate limit counts) even though the call then raises. Every
function takes the instant ``now`` explicitly; nothing here reads the clock or the
environment -- the policy (``AccountPolicy``) comes from the entry point's settings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import accounts as rows
from db import audit, directory
from db.errors import CaseChanged, DatabaseUnavailable, StoreError
from db.errors import NotFound as StoreNotFound
from db.schema import LocalAuthority
from db.session import unit_of_work
from services import errors


class Role(StrEnum):
    CASEWORKER = "caseworker"
    TEAM_MANAGER = "team_manager"
    HEAD_OF_SERVICE = "head_of_service"
    ADMINISTRATOR = "administrator"


USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
MIN_PASSWORD = 12  # OWASP ASVS 2.1.1
MAX_PASSWORD = 128  # ASVS 2.1.2: at least 64 allowed; argon2 costs grow with length


@dataclass(frozen=True)
class AccountPolicy:
    """How long sessions live and how many failed log-ins are tolerated."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=12)
    failures_per_account: int = 5
    failures_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Account:
    """A user as every page sees them: where they work and what they are."""

    id: int
    username: str
    la_code: str
    la_name: str
    role: Role
    caseworker: str | None
    team: str | None
    active: bool


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, and the CSRF token every form they post must carry."""

    account: Account
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class NewSession:
    """A session just started: ``token`` goes in the cookie and is never stored."""

    token: str
    signed_in: SignedIn


class TooManyAttempts(errors.Refused):
    """Log-in refused without checking the password: too many recent failures."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many attempts to sign in. Try again in {minutes} {unit}.")


class WrongCredentials(errors.Refused):
    def __init__(self) -> None:
        super().__init__("The username or password is not right", field="username")


_HASHER = PasswordHasher()  # argon2id, the library's (RFC 9106 low-memory) parameters


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both cases take the same time
    (made on first use: hashing costs tens of milliseconds, not to be paid by ``--help``)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


# --- account administration ----------------------------------------------------------------


def create_user(
    engine: Engine, username: str, *, la_code: str, role: str, actor: str, now: dt.datetime,
    caseworker: str | None = None, team: str | None = None,
) -> Account:
    """Add a user (with no password yet: they cannot sign in until one is set)."""
    name = _valid_username(username)
    with _store_errors(), unit_of_work(engine, write=True) as session:
        if rows.find_user(session, name) is not None:
            raise errors.Refused(f"user {name!r} already exists", field="username")
        la = directory.get_la(session, la_code)
        chosen = _role(role)
        caseworker_id, team_id = _placement(session, chosen, la.id, caseworker, team)
        user_id = rows.add_user(session, name, la_id=la.id, role=chosen.value,
                                caseworker_id=caseworker_id, team_id=team_id, now=now)
        audit.record(session, actor, "user_added", la_id=la.id, at=now, username=name,
                     role=chosen.value, caseworker=caseworker, team=team)
        return _account(_get(session, user_id))


def set_password(
    engine: Engine, username: str, password: str, *, actor: str, now: dt.datetime,
) -> None:
    """Set (or replace) a user's password; every session they had ends."""
    if len(password) < MIN_PASSWORD:
        raise errors.InvalidInput(
            f"the password must be at least {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise errors.InvalidInput(
            f"the password must be at most {MAX_PASSWORD} characters", field="password")
    if password.strip().lower() == username.strip().lower():
        raise errors.InvalidInput("the password must not be the username", field="password")
    hashed = _HASHER.hash(password)
    with _store_errors(), unit_of_work(engine, write=True) as session:
        user = _find(session, username)
        rows.update_user(session, user.id, password_hash=hashed, password_changed_at=now)
        ended = rows.delete_user_sessions(session, user.id)
        audit.record(session, actor, "user_password_set", la_id=user.la_id, at=now,
                     username=user.username, sessions_ended=ended)


def set_role(
    engine: Engine, username: str, role: str, *, actor: str, now: dt.datetime,
    caseworker: str | None = None, team: str | None = None,
) -> Account:
    """Change what a user is; their sessions end, so the new role applies at once."""
    chosen = _role(role)
    with _store_errors(), unit_of_work(engine, write=True) as session:
        user = _find(session, username)
        caseworker_id, team_id = _placement(session, chosen, user.la_id, caseworker, team)
        rows.update_user(session, user.id, role=chosen.value, caseworker_id=caseworker_id,
                         team_id=team_id)
        ended = rows.delete_user_sessions(session, user.id)
        audit.record(session, actor, "user_role_set", la_id=user.la_id, at=now,
                     username=user.username, role=chosen.value, previous_role=user.role,
                     caseworker=caseworker, team=team, sessions_ended=ended)
        return _account(_get(session, user.id))


def deactivate(engine: Engine, username: str, *, actor: str, now: dt.datetime) -> None:
    """Stop a user signing in (a leaver); their sessions end. The row stays for the audit."""
    with _store_errors(), unit_of_work(engine, write=True) as session:
        user = _find(session, username)
        rows.update_user(session, user.id, active=False)
        ended = rows.delete_user_sessions(session, user.id)
        audit.record(session, actor, "user_deactivated", la_id=user.la_id, at=now,
                     username=user.username, sessions_ended=ended)


def get_account(engine: Engine, username: str) -> Account:
    with _store_errors(), unit_of_work(engine) as session:
        return _account(_find(session, username))


# --- signing in ----------------------------------------------------------------------------


def authenticate(
    engine: Engine, username: str, password: str, *, address: str, now: dt.datetime,
    policy: AccountPolicy,
) -> Account:
    """The account whose password this is, or ``WrongCredentials`` (the same for an
    unknown user, a wrong password, no password yet, or a deactivated account), or
    ``TooManyAttempts`` before the password is even looked at."""
    name = username.strip()[:100]
    with _store_errors():
        _refuse_if_limited(engine, name, address, now, policy)
        with unit_of_work(engine) as session:
            user = rows.find_user(session, name)
        ok = _verify(user.password_hash if user else None, password)
        succeeded = ok and user is not None and user.active
        # The attempt is committed before anything is raised: it is what the limit counts.
        with unit_of_work(engine, write=True) as session:
            rows.delete_attempts_before(session, now - policy.window)
            rows.add_attempt(session, username=name, address=address, succeeded=succeeded,
                             now=now)
            if user is None or not succeeded:
                audit.record(session, name or "-", "login_failed",
                             la_id=user.la_id if user else None, at=now, address=address,
                             reason=_why_failed(user, password_ok=ok))
            elif user.password_hash and _HASHER.check_needs_rehash(user.password_hash):
                rows.update_user(session, user.id, password_hash=_HASHER.hash(password))
    if user is None or not succeeded:
        raise WrongCredentials()
    return _account(user)


def start_session(
    engine: Engine, account: Account, *, address: str, now: dt.datetime, policy: AccountPolicy,
    replacing: str | None = None,
) -> NewSession:
    """A new session for ``account`` (audited as its log-in); ``replacing`` (the token the
    browser had, if any) is ended first, so the id always changes at log-in."""
    token = secrets.token_urlsafe(32)  # 256 bits
    csrf = secrets.token_urlsafe(32)
    expires = now + policy.absolute
    with _store_errors(), unit_of_work(engine, write=True) as session:
        if replacing:
            rows.delete_session(session, _digest(replacing))
        rows.delete_stale_sessions(session, now=now, idle_since=now - policy.idle)
        rows.add_session(session, token_hash=_digest(token), user_id=account.id,
                         csrf_token=csrf, now=now, expires_at=expires, address=address)
        user = _get(session, account.id)
        audit.record(session, account.username, "login", la_id=user.la_id, at=now,
                     address=address)
    return NewSession(token, SignedIn(account, csrf, expires))


# How stale ``last_seen_at`` may get before a request rewrites it: keeps a page view
# from being a database write, at the cost of idle expiry being up to this much early.
TOUCH_EVERY = dt.timedelta(minutes=1)


def lookup_session(
    engine: Engine, token: str, *, now: dt.datetime, policy: AccountPolicy,
) -> SignedIn | None:
    """The live session behind a cookie, or None (unknown, idle too long, past its
    absolute expiry, or its user deactivated)."""
    if not token or len(token) > 100:
        return None
    digest = _digest(token)
    with _store_errors(), unit_of_work(engine) as session:
        found = rows.find_session(session, digest)
        user = rows.user_by_id(session, found.user_id) if found else None
    if found is None or user is None or not user.active:
        return None
    if now >= found.expires_at or now - found.last_seen_at >= policy.idle:
        return None
    if now - found.last_seen_at >= TOUCH_EVERY:
        with _store_errors(), unit_of_work(engine, write=True) as session:
            rows.touch_session(session, digest, now)
    return SignedIn(_account(user), found.csrf_token, found.expires_at)


def end_session(engine: Engine, token: str, *, address: str, now: dt.datetime) -> None:
    """Log out: the session row goes (so the cookie is worthless), audited as a log-out."""
    with _store_errors(), unit_of_work(engine, write=True) as session:
        user_id = rows.delete_session(session, _digest(token))
        user = rows.user_by_id(session, user_id) if user_id is not None else None
        if user is not None:
            audit.record(session, user.username, "logout", la_id=user.la_id, at=now,
                         address=address)


# --- helpers -------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verify(hashed: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(hashed or _dummy_hash(), password[:MAX_PASSWORD]) and bool(hashed)
    except (VerificationError, InvalidHashError):
        return False


def _why_failed(user: rows.UserRecord | None, *, password_ok: bool) -> str:
    if user is None:
        return "unknown user"
    if user.password_hash is None:
        return "no password set"
    if not password_ok:
        return "wrong password"
    return "account deactivated"


def _refuse_if_limited(
    engine: Engine, username: str, address: str, now: dt.datetime, policy: AccountPolicy,
) -> None:
    since = now - policy.window
    with unit_of_work(engine) as session:
        by_name = rows.failures_for_username(session, username, since)
        by_address = rows.failures_from_address(session, address, since)
    limited = [oldest for (count, oldest), limit in (
        (by_name, policy.failures_per_account), (by_address, policy.failures_per_address),
    ) if count >= limit and oldest is not None]
    if not limited:
        return
    free_at = max(limited) + policy.window
    minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
    with unit_of_work(engine, write=True) as session:
        audit.record(session, username or "-", "login_rate_limited", at=now, address=address,
                     minutes=minutes)
    raise TooManyAttempts(minutes)


def _valid_username(username: str) -> str:
    name = username.strip()
    if not USERNAME.fullmatch(name):
        raise errors.InvalidInput(
            f"malformed username {username!r}: letters, digits and . _ @ - only, "
            "starting with a letter or digit, at most 100 characters", field="username")
    return name


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise errors.InvalidInput(f"unknown role {role!r}: expected one of {known}",
                                  field="role") from None


def _placement(
    session: Session, role: Role, la_id: int, caseworker: str | None, team: str | None,
) -> tuple[int | None, int | None]:
    """(caseworker id, team id) for a role: a caseworker is a caseworker row (and its
    team), a team manager a team, both in the user's own authority; others neither."""
    if role is Role.CASEWORKER:
        if not caseworker or team:
            raise errors.InvalidInput("a caseworker's account needs --caseworker (and no "
                                      "--team: it is the caseworker's)", field="caseworker")
        worker = directory.get_caseworker(session, caseworker)
        if worker.team.la_id != la_id:
            raise errors.Refused(f"caseworker {caseworker!r} works for another authority",
                                 field="caseworker")
        return worker.id, worker.team_id
    if role is Role.TEAM_MANAGER:
        if not team or caseworker:
            raise errors.InvalidInput("a team manager's account needs --team (and no "
                                      "--caseworker)", field="team")
        la_code = session.get_one(LocalAuthority, la_id).code
        return None, directory.get_team(session, team, la_code).id
    if caseworker or team:
        raise errors.InvalidInput(f"a {role.value}'s account covers the whole authority: "
                                  "give neither --caseworker nor --team", field="role")
    return None, None


@contextmanager
def _store_errors() -> Iterator[None]:
    """The store's errors as the application layer's (same messages)."""
    try:
        yield
    except StoreNotFound as exc:
        raise errors.NotFound(str(exc)) from exc
    except DatabaseUnavailable as exc:
        raise errors.Unavailable(str(exc)) from exc
    except CaseChanged as exc:
        raise errors.Conflict(str(exc)) from exc
    except StoreError as exc:
        raise errors.Refused(str(exc)) from exc


def _find(session: Session, username: str) -> rows.UserRecord:
    user = rows.find_user(session, username.strip())
    if user is None:
        raise errors.NotFound(f"unknown user {username!r}", field="username")
    return user


def _get(session: Session, user_id: int) -> rows.UserRecord:
    user = rows.user_by_id(session, user_id)
    assert user is not None  # the caller has just written or read it in this transaction
    return user


def _account(user: rows.UserRecord) -> Account:
    return Account(
        id=user.id, username=user.username, la_code=user.la_code, la_name=user.la_name,
        role=Role(user.role), caseworker=user.caseworker, team=user.team, active=user.active,
    )
