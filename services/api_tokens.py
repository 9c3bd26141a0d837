"""Other council systems' access to the JSON API: one token per system, scoped to one
authority and to ``read`` or ``write``, rate-limited, revocable.

The token is shown once (``ehc api-token create``) and kept only as its hash. The system's
name is the actor of everything it records (``api:<name>`` in the log and the audit).
Calls are counted in ``api_calls`` -- in the database, so the limit holds across every
worker -- over a sliding minute.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from sqlalchemy import Engine

from db import audit, directory, links
from db.link_schema import API_SCOPES, ApiToken
from db.session import unit_of_work
from services import errors
from services.errors import InvalidInput, NotFound, translated
from services.tokens import digest, new_token

WINDOW = dt.timedelta(minutes=1)
DEFAULT_PER_MINUTE = 120
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


class BadToken(errors.Forbidden):
    """No token, an unknown one, or a revoked one (HTTP 401)."""

    def __init__(self) -> None:
        super().__init__("a valid API token is needed: Authorization: Bearer <token>")


class TooManyCalls(errors.Refused):
    """The token has made its calls for this minute (HTTP 429)."""

    def __init__(self, seconds: int) -> None:
        self.retry_after = seconds
        super().__init__(f"too many requests with this token: try again in {seconds} s")


@dataclass(frozen=True)
class ApiClient:
    """The system calling: who it is, whose data it may touch, and how."""

    token_id: int
    name: str
    la_code: str
    scope: str

    @property
    def actor(self) -> str:
        return f"api:{self.name}"


@dataclass(frozen=True)
class IssuedApiToken:
    client: ApiClient
    token: str  # shown once, never stored


@dataclass(frozen=True)
class ApiTokenInfo:
    client: ApiClient
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def create_token(
    engine: Engine, name: str, *, la_code: str, scope: str, actor: str, now: dt.datetime
) -> IssuedApiToken:
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"system name {name!r}: letters, digits, '.', '_' or '-', at most "
                           "100", field="name")
    if scope not in API_SCOPES:
        raise InvalidInput(f"unknown scope {scope!r}: expected read or write", field="scope")
    token, hashed = new_token()
    with translated(), unit_of_work(engine, write=True) as session:
        la = directory.get_la(session, la_code)
        row = links.add_api_token(session, hashed, la, name=name, scope=scope, actor=actor,
                                  now=now)
        audit.record(session, actor, "api_token_created", la_id=la.id, at=now, token=row.id,
                     name=name, scope=scope)
        return IssuedApiToken(_client(row), token)


def list_tokens(engine: Engine) -> tuple[ApiTokenInfo, ...]:
    with translated(), unit_of_work(engine) as session:
        return tuple(_info(row) for row in links.api_tokens(session))


def revoke_token(engine: Engine, token_id: int, *, actor: str, now: dt.datetime) -> ApiClient:
    with translated(), unit_of_work(engine, write=True) as session:
        row = links.api_token_by_id(session, token_id)
        if row is None or row.revoked_at is not None:
            raise NotFound(f"no live API token {token_id}")
        row.revoked_at = now
        audit.record(session, actor, "api_token_revoked", la_id=row.la_id, at=now,
                     token=row.id, name=row.name)
        return _client(row)


def authenticate(
    engine: Engine, token: str | None, *, now: dt.datetime, write: bool,
    per_minute: int = DEFAULT_PER_MINUTE,
) -> ApiClient:
    """The system ``token`` belongs to, once this call is counted against its limit.

    Raises:
        BadToken: no token, an unknown one or a revoked one.
        Forbidden: a read-only token asked to write.
        TooManyCalls: ``per_minute`` calls already made in the last minute.
    """
    with translated(), unit_of_work(engine, write=True) as session:
        row = links.api_token_by_hash(session, digest(token or ""))
        if row is None or row.revoked_at is not None:
            raise BadToken()
        client = _client(row)
        since = now - WINDOW
        links.delete_api_calls_before(session, row.id, since)
        if links.count_api_calls(session, row.id, since) >= per_minute:
            oldest = links.oldest_api_call(session, row.id, since) or now
            raise TooManyCalls(max(1, math.ceil((oldest + WINDOW - now).total_seconds())))
        links.add_api_call(session, row.id, now)
    if write and client.scope != "write":
        raise errors.Forbidden(f"the token of {client.name} is read-only: it cannot record "
                               "events")
    return client


def _client(row: ApiToken) -> ApiClient:
    return ApiClient(row.id, row.name, row.local_authority.code, row.scope)


def _info(row: ApiToken) -> ApiTokenInfo:
    return ApiTokenInfo(_client(row), row.created_by, row.created_at, row.revoked_at)
