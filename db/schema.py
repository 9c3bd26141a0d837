"""The case store's tables: who works where, the append-only case log, and its projections.

``case_events`` is the truth and is never updated, deleted or replaced (the migrations
install triggers that refuse all three) and each case's rows are hash-chained
(``db.chain``); ``deadlines`` is a projection of it, rewritten per case in the
same transaction as each append and rebuildable at any time. ``audit_log`` is append-only
too. Legal dates are ``Date``; instants are aware UTC (``db.base.UtcDateTime``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base

PROCESSES = ("assessment", "review")
EVENT_SCHEMA_VERSION = 1
# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class LocalAuthority(Base):
    __tablename__ = "local_authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    head_of_service_name: Mapped[str | None] = mapped_column(String(200))
    head_of_service_email: Mapped[str | None] = mapped_column(String(320))
    # The LA's own calendar data (closures, overrides) as loaded; None = the packaged data.
    calendar_data: Mapped[str | None] = mapped_column(Text)
    calendar_version: Mapped[str | None] = mapped_column(String(100))
    calendar_hash: Mapped[str | None] = mapped_column(String(64))
    calendar_loaded_at: Mapped[dt.datetime | None]
    # The ladder and calendar its cases' ``next_sweep_on`` were computed with (a hash).
    sweep_basis: Mapped[str | None] = mapped_column(String(64))

    teams: Mapped[list[Team]] = relationship(back_populates="local_authority")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("la_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    la_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"))
    name: Mapped[str] = mapped_column(String(200))
    manager_name: Mapped[str | None] = mapped_column(String(200))
    manager_email: Mapped[str | None] = mapped_column(String(320))

    local_authority: Mapped[LocalAuthority] = relationship(back_populates="teams")
    caseworkers: Mapped[list[Caseworker]] = relationship(back_populates="team")


class Caseworker(Base):
    __tablename__ = "caseworkers"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    # When they left (``ehc staff leave``): kept for the audit trail, given no new cases.
    left_at: Mapped[dt.datetime | None]

    team: Mapped[Team] = relationship(back_populates="caseworkers")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("process IN ('assessment', 'review')", name="process"),
        # The sweep's first read: the authority's cases whose night has come.
        Index("ix_cases_next_sweep", "la_id", "next_sweep_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    la_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    caseworker_id: Mapped[int] = mapped_column(ForeignKey("caseworkers.id"), index=True)
    process: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[dt.datetime]
    # A projection like ``deadlines``: the stage the log replays to, rewritten with it.
    stage: Mapped[str | None] = mapped_column(String(40), index=True)
    # The first night the sweep must read the case again (``engine.escalation.next_nights``);
    # None: read it on the next sweep (new, or its deadlines changed since).
    next_sweep_on: Mapped[dt.date | None]

    local_authority: Mapped[LocalAuthority] = relationship()
    caseworker: Mapped[Caseworker] = relationship()


class CaseEventRow(Base):
    """One recorded event. ``payload`` is the event as validated (``dump_event``)."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        UniqueConstraint("case_id", "client_event_id"),
        UniqueConstraint("case_id", "natural_key"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(60))
    # The legal date the event sorts on (``engine.events.event_date``).
    event_date: Mapped[dt.date]
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    schema_version: Mapped[int]
    # The client's id for the event (NULL when none was given); a retry is recognised by it.
    client_event_id: Mapped[str | None] = mapped_column(String(200))
    # Content hash + occurrence number: how a re-import recognises events without ids.
    natural_key: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))
    # This row's link in the case's hash chain (``db.chain``): edits show up in ``ehc verify``.
    chain_hash: Mapped[str] = mapped_column(String(64))


OPEN_LIMITS = "kind = 'limit' AND met_on IS NULL"
ACTED_WINDOWS = "kind = 'window' AND premature_on IS NOT NULL"


class DeadlineRow(Base):
    """One ``engine.status.Deadline`` of one case, as last projected."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "key", "instance"),
        # The worklist: open limits by due date (then joined to cases for caseworker/team).
        Index("ix_deadlines_due_open", "due", "met_on", "case_id"),
        # The sweep (0008): only what can still escalate, a small part of a mature caseload.
        Index("ix_deadlines_open_limits", "due", "case_id",
              postgresql_where=text(OPEN_LIMITS), sqlite_where=text(OPEN_LIMITS)),
        Index("ix_deadlines_acted_windows", "premature_on", "case_id",
              postgresql_where=text(ACTED_WINDOWS), sqlite_where=text(ACTED_WINDOWS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    key: Mapped[str] = mapped_column(String(80))
    instance: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))
    statutory: Mapped[bool]
    actor: Mapped[str] = mapped_column(String(40))
    nominal: Mapped[dt.date]
    due: Mapped[dt.date | None]
    met_on: Mapped[dt.date | None]
    met_by: Mapped[str | None] = mapped_column(String(80))
    exception: Mapped[str | None] = mapped_column(String(80))
    exceptions_available: Mapped[list[str]] = mapped_column(JsonDoc)
    premature_on: Mapped[dt.date | None]
    trigger: Mapped[str] = mapped_column(String(80))
    trigger_date: Mapped[dt.date]
    citation: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    plain_explanation: Mapped[str] = mapped_column(Text, default="")  # the family's
    warnings: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    exception_recorded_on: Mapped[dt.date | None]
    escalates: Mapped[bool] = mapped_column(default=True)
    projected_at: Mapped[dt.datetime]


class AuditEntry(Base):
    """Who did what, when: case opened, events recorded, imports, calendar changes and the
    deadline changes they caused. Append-only like the log."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    la_id: Mapped[int | None] = mapped_column(ForeignKey("local_authorities.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


def column_size(model: type[Base], column: str) -> int:
    """The characters a text column holds: the door (``services.door``) refuses more on
    both backends, so PostgreSQL never refuses what SQLite would have kept."""
    kind = model.__table__.c[column].type
    if not isinstance(kind, String) or kind.length is None:
        raise TypeError(f"{model.__tablename__}.{column} is not a sized text column")
    return kind.length
