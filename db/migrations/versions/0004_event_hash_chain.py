"""A hash chain over each case's events, and no silent replacement of a logged row.

``case_events.chain_hash`` (``db.chain``) is added and back-filled for the rows already
there, in (case, seq) order, then made NOT NULL. The append-only triggers have to stand
aside for the back-fill: PostgreSQL disables its trigger for the duration (we are the
owner, inside the migration's transaction); SQLite rebuilds the table in batch mode, which
drops its triggers, so they are created again afterwards.

SQLite's ``INSERT OR REPLACE`` deletes a conflicting row without firing delete triggers,
so it could overwrite a logged event or audit entry. A BEFORE INSERT trigger now refuses
any insert that collides with an existing row (an ordinary conflicting INSERT still fails
as a constraint violation, as before). PostgreSQL has no REPLACE; its ``ON CONFLICT DO
UPDATE`` fires the update trigger, which refuses it.

Revision ID: 0004_event_hash_chain
Revises: 0004 (re-chained from 0003 when main was merged in)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db import chain
from db.base import UtcDateTime
from db.schema import JsonDoc

revision: str = "0004_event_hash_chain"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

APPEND_ONLY = ("case_events", "audit_log")
REFUSAL = "is append-only: record a correcting event instead"
# What an insert must not collide with, per table (SQLite's REPLACE would delete it).
COLLISIONS = {
    "case_events": (
        "id = NEW.id OR (case_id = NEW.case_id AND (seq = NEW.seq "
        "OR client_event_id = NEW.client_event_id OR natural_key = NEW.natural_key))"
    ),
    "audit_log": "id = NEW.id",
}
EVENTS = sa.table(
    "case_events",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("type", sa.String()),
    sa.column("event_date", sa.Date()),
    sa.column("payload", JsonDoc),
    sa.column("schema_version", sa.Integer()),
    sa.column("client_event_id", sa.String()),
    sa.column("natural_key", sa.String()),
    sa.column("recorded_at", UtcDateTime()),
    sa.column("recorded_by", sa.String()),
    sa.column("chain_hash", sa.String()),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # a batch rebuild would drop them anyway: made again below
        _sqlite_drop_append_only_triggers("case_events")
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
    if sqlite:
        _backfill()
        with op.batch_alter_table("case_events") as batch:
            batch.alter_column("chain_hash", existing_type=sa.String(length=64), nullable=False)
        _sqlite_append_only_triggers("case_events")
        for table in APPEND_ONLY:
            _sqlite_no_replace_trigger(table)
        return
    op.execute("ALTER TABLE case_events DISABLE TRIGGER case_events_append_only")
    _backfill()
    op.execute("ALTER TABLE case_events ENABLE TRIGGER case_events_append_only")
    op.alter_column("case_events", "chain_hash", existing_type=sa.String(length=64),
                    nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_replace")
        _sqlite_drop_append_only_triggers("case_events")
        with op.batch_alter_table("case_events") as batch:
            batch.drop_column("chain_hash")
        _sqlite_append_only_triggers("case_events")
        return
    op.drop_column("case_events", "chain_hash")


def _backfill() -> None:
    """Chain the rows already logged, case by case in seq order."""
    bind = op.get_bind()
    previous: tuple[int | None, str] = (None, chain.GENESIS)
    rows = bind.execute(sa.select(EVENTS).order_by(EVENTS.c.case_id, EVENTS.c.seq)).mappings()
    links = []
    for row in rows:
        before = previous[1] if previous[0] == row["case_id"] else chain.GENESIS
        previous = (row["case_id"], chain.link(before, dict(row)))
        links.append({"row_id": row["id"], "link": previous[1]})
    if links:
        bind.execute(
            EVENTS.update().where(EVENTS.c.id == sa.bindparam("row_id"))
            .values(chain_hash=sa.bindparam("link")),
            links,
        )


def _sqlite_drop_append_only_triggers(table: str) -> None:
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def _sqlite_append_only_triggers(table: str) -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} {REFUSAL}'); END"
        )


def _sqlite_no_replace_trigger(table: str) -> None:
    op.execute(
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {COLLISIONS[table]}) "
        f"BEGIN SELECT RAISE(ABORT, '{table} {REFUSAL}'); END"
    )
