"""``cases.next_sweep_on``: the first night the sweep must read the case again.

The sweep writes it after deciding a case (the earliest night a notice not yet decided
could fire; 9999-12-31 when none can); the store clears it whenever the case's deadlines
change, and the sweep clears an authority's when its ladder or calendar is no longer the
one they were computed with (``local_authorities.sweep_basis``). A steady national night
then reads the few cases whose night has come, not every open deadline in the country.

Revision ID: 0010_case_next_sweep
Revises: 0009_open_deadline_indexes
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010_case_next_sweep"
down_revision: str | None = "0009_open_deadline_indexes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("next_sweep_on", sa.Date(), nullable=True))
    op.add_column("local_authorities",
                  sa.Column("sweep_basis", sa.String(length=64), nullable=True))
    op.create_index("ix_cases_next_sweep", "cases", ["la_id", "next_sweep_on", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_next_sweep", "cases")
    # A plain DROP COLUMN (SQLite >= 3.35): a batch copy of ``cases`` would trip its
    # foreign keys.
    op.drop_column("cases", "next_sweep_on")
    op.drop_column("local_authorities", "sweep_basis")
