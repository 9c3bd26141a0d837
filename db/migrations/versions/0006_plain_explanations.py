"""Four columns on the ``deadlines`` projection (issue 8): ``plain_explanation`` (the
family's explanation, beside the staff one), ``warnings`` (what the caseworker must look
at, e.g. an exception recorded late), ``exception_recorded_on`` (so the timeliness
figures can count exceptions recorded after the limit) and ``escalates`` (false for a
fact of record the sweep must not chase: R09 judged after the meeting was held).

Existing rows get an empty explanation and no warnings until the projection is rebuilt
(``db.projections.rebuild_all``), which the lead's merge note asks for.

Revision ID: 0006_plain_explanations
Revises: 0005_web_accounts
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")  # as db.schema.JsonDoc

revision: str = "0006_plain_explanations"
down_revision: str | None = "0005_web_accounts"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines") as batch:
        batch.add_column(
            sa.Column("plain_explanation", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("warnings", JSON_DOC, nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("exception_recorded_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("escalates", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_column("escalates")
        batch.drop_column("exception_recorded_on")
        batch.drop_column("warnings")
        batch.drop_column("plain_explanation")
