"""The tables behind links that work without signing in, and other systems' tokens.

Every secret here is handed out once and kept only as its SHA-256 (``token_hash``), like
the web sessions: a copy of the database lets nobody in.

``family_links``: one case, read-only, for the family; expires, and can be revoked.
``feed_tokens``: an iCalendar subscription for a caseworker, a team or one case.
``api_tokens``: one other council system, scoped to one authority, read or write.
``api_calls``: what rate-limits each API token (in the database, so the limit holds
across every worker serving the app).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base
from db.schema import LocalAuthority

FEED_KINDS = ("caseworker", "team", "case")
API_SCOPES = ("read", "write")


class FamilyLink(Base):
    __tablename__ = "family_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    # Where the family asked to be told that a stage is done (content-free, through the
    # outbox), and the stage they were last told of.
    email: Mapped[str | None] = mapped_column(String(320))
    notified_stage: Mapped[str | None] = mapped_column(String(40))


class FeedToken(Base):
    __tablename__ = "feed_tokens"
    __table_args__ = (
        CheckConstraint("kind IN ('caseworker', 'team', 'case')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    la_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The caseworker's username, the team's name or the case's reference.
    subject: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The system's name: the actor of everything it writes.
    name: Mapped[str] = mapped_column(String(100))
    la_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    local_authority: Mapped[LocalAuthority] = relationship()


class ApiCall(Base):
    __tablename__ = "api_calls"
    __table_args__ = (Index("ix_api_calls_token_id_at", "token_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    at: Mapped[dt.datetime]
