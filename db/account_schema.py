"""The web application's tables: who may sign in, their live sessions, and log-in attempts.

``users`` is one person who signs in: one local authority, one role, and (for caseworkers
and team managers) the caseworker row or team they are. The password is kept only as an
argon2id hash; NULL means "no password set yet", so the account cannot sign in.

``web_sessions`` holds one row per signed-in browser. The cookie carries a random 256-bit
token; only its SHA-256 is stored, so a copy of the database does not let anyone in. The
row also holds the session's CSRF synchronizer token and its idle and absolute expiry.

``login_attempts`` is what rate-limits log-in per account and per client address; it is
in the database so the limit holds across every worker process serving the app.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

ROLES = ("caseworker", "team_manager", "head_of_service", "administrator")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('caseworker', 'team_manager', 'head_of_service', 'administrator')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    la_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("caseworkers.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[dt.datetime]
    password_changed_at: Mapped[dt.datetime | None]


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    address: Mapped[str] = mapped_column(String(64))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]
