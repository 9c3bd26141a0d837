"""Each case's stage as a projection (``cases.stage``, rewritten with its deadlines, so
the caseload can be listed and searched by stage without replaying every log), and when
a caseworker left (``caseworkers.left_at``).

``ehc init`` fills the stage of cases that predate this revision (``services.store``);
a migration stays a snapshot of the schema and does not run the engine.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("stage", sa.String(40), nullable=True))
        batch.create_index(op.f("ix_cases_stage"), ["stage"])
    with op.batch_alter_table("caseworkers") as batch:
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("caseworkers") as batch:
        batch.drop_column("left_at")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(op.f("ix_cases_stage"))
        batch.drop_column("stage")
