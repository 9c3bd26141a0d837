"""Partial indexes on what can still escalate: open limits by due date, and windows acted
inside by the day they were acted on. Met and disapplied rows, most of a mature caseload,
are left out of both, so the sweep's and the worklist's query reads only what is open.

Revision ID: 0009_open_deadline_indexes
Revises: 0008_family_links
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009_open_deadline_indexes"
down_revision: str | None = "0008_family_links"
branch_labels: str | None = None
depends_on: str | None = None

OPEN_LIMITS = "kind = 'limit' AND met_on IS NULL"
ACTED_WINDOWS = "kind = 'window' AND premature_on IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_deadlines_open_limits", "deadlines", ["due", "case_id"],
                    postgresql_where=sa.text(OPEN_LIMITS), sqlite_where=sa.text(OPEN_LIMITS))
    op.create_index("ix_deadlines_acted_windows", "deadlines", ["premature_on", "case_id"],
                    postgresql_where=sa.text(ACTED_WINDOWS),
                    sqlite_where=sa.text(ACTED_WINDOWS))


def downgrade() -> None:
    op.drop_index("ix_deadlines_acted_windows", "deadlines")
    op.drop_index("ix_deadlines_open_limits", "deadlines")
