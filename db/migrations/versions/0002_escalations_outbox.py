"""The overnight sweep's tables: escalations (once per case, deadline, instance and level)
and the outbox of emails (once per key, with its Message-ID).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deadline_key", sa.String(length=80), nullable=False),
        sa.Column("instance", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=60), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("nominal", sa.Date(), nullable=False),
        sa.Column("fires_on", sa.Date(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_at", _instant(), nullable=False),
        _fk("escalations", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint(
            "case_id", "deadline_key", "instance", "level",
            name=op.f("uq_escalations_case_id_deadline_key_instance_level"),
        ),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("la_id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("recipient_role", sa.String(length=40), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=True),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), server_default=sa.text("'pending'"),
                  nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("in_doubt", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("next_attempt_at", _instant(), nullable=False),
        sa.Column("claimed_at", _instant(), nullable=True),
        sa.Column("sent_at", _instant(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_outbox_status")
        ),
        _fk("outbox", "escalation_id", "escalations"),
        _fk("outbox", "la_id", "local_authorities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    op.create_index(
        "ix_outbox_la_status_next", "outbox", ["la_id", "status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_la_status_next", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("escalations")
