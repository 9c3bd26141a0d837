"""Two terminal outbox statuses: ``withdrawn`` (the deadline was met, disapplied or went
away before the email could be sent) and ``suppressed`` (recorded by a baseline sweep
when a caseload is onboarded, never to be sent).

SQLite cannot alter a CHECK constraint, so the outbox is rebuilt in batch mode there
(copy, drop, rename); PostgreSQL drops and re-adds the constraint in place.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

OLD = "status IN ('pending', 'sending', 'sent', 'failed')"
NEW = "status IN ('pending', 'sending', 'sent', 'failed', 'withdrawn', 'suppressed')"


def upgrade() -> None:
    _replace_check(NEW)


def downgrade() -> None:
    # The old schema has no word for these rows; "failed" (with the reason kept in
    # last_error) is the nearest terminal status that is never retried.
    op.execute("UPDATE outbox SET status = 'failed' WHERE status IN ('withdrawn', 'suppressed')")
    _replace_check(OLD)


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_status"), condition)
