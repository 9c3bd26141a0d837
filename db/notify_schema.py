"""The sweep's tables: escalations decided, and the outbox of emails to send.

Both are guarded by UNIQUE natural keys, which is what makes "once" true when a night is
re-run or two sweeps overlap: the database refuses the second decision, whatever the
scheduler does. An escalation is (case, deadline key, instance, level); an outbox row is
one email (``key``: the escalation key plus the recipient role, or a digest's
recipient and day) and carries the Message-ID derived from that key.

Outbox status: ``pending`` (to send, from ``next_attempt_at``), ``sending`` (claimed by a
delivery run: reserved with its batch, ``claimed_at`` set once handed to the relay),
``sent``, ``failed`` (given up: no address, refused, or too many attempts; ``last_error``
says which), ``withdrawn`` (not sent: by delivery time its deadline had been met,
disapplied or had gone away; ``last_error`` gives the reason) and ``suppressed`` (recorded
by a baseline sweep when a caseload was onboarded, never to be sent). Only ``pending``
rows are ever sent. ``in_doubt`` marks a message whose earlier attempt was interrupted
mid-send: it is sent once more and the recipient may see it twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.schema import JsonDoc

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "withdrawn", "suppressed")


class EscalationRow(Base):
    """One decided escalation: who (roles) was to be told what, decided on which night."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("case_id", "deadline_key", "instance", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    deadline_key: Mapped[str] = mapped_column(String(80))
    instance: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(60))
    rule: Mapped[str] = mapped_column(String(20))
    track: Mapped[str] = mapped_column(String(20))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated engine Role values
    due: Mapped[dt.date | None]
    nominal: Mapped[dt.date]
    fires_on: Mapped[dt.date]
    days_late: Mapped[int | None]
    decided_on: Mapped[dt.date]  # the sweep's as_of (London date)
    decided_at: Mapped[dt.datetime]


class OutboxRow(Base):
    """One email, recorded before it is sent and marked after."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key"),
        UniqueConstraint("message_id"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'withdrawn', 'suppressed')",
            name="status",
        ),
        Index("ix_outbox_la_status_next", "la_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(20))  # "escalation" or "digest"
    la_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"))
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))
    recipient_role: Mapped[str] = mapped_column(String(40))
    recipient_email: Mapped[str | None] = mapped_column(String(320))
    # The notice's allow-listed fields (notifications.notice), rendered at send time.
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    in_doubt: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
