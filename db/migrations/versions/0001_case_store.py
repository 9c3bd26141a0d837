"""The case store: local authorities, teams, caseworkers, cases, the append-only event log,
the deadline projection and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

APPEND_ONLY = ("case_events", "audit_log")


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    _directory()
    _cases()
    _log_and_projection()
    _refuse_update_and_delete()


def _directory() -> None:
    op.create_table(
        "local_authorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("head_of_service_name", sa.String(length=200), nullable=True),
        sa.Column("head_of_service_email", sa.String(length=320), nullable=True),
        sa.Column("calendar_data", sa.Text(), nullable=True),
        sa.Column("calendar_version", sa.String(length=100), nullable=True),
        sa.Column("calendar_hash", sa.String(length=64), nullable=True),
        sa.Column("calendar_loaded_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_authorities")),
        sa.UniqueConstraint("code", name=op.f("uq_local_authorities_code")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("manager_name", sa.String(length=200), nullable=True),
        sa.Column("manager_email", sa.String(length=320), nullable=True),
        _fk("teams", "la_id", "local_authorities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("la_id", "name", name=op.f("uq_teams_la_id_name")),
    )
    op.create_table(
        "caseworkers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=False),
        _fk("caseworkers", "team_id", "teams"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caseworkers")),
        sa.UniqueConstraint("username", name=op.f("uq_caseworkers_username")),
    )
    op.create_index(op.f("ix_caseworkers_team_id"), "caseworkers", ["team_id"])


def _cases() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("la_id", sa.Integer(), nullable=False),
        sa.Column("caseworker_id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=20), nullable=False),
        sa.Column("opened_at", _instant(), nullable=False),
        sa.CheckConstraint("process IN ('assessment', 'review')", name=op.f("ck_cases_process")),
        _fk("cases", "caseworker_id", "caseworkers"),
        _fk("cases", "la_id", "local_authorities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
    )
    op.create_index(op.f("ix_cases_caseworker_id"), "cases", ["caseworker_id"])
    op.create_index(op.f("ix_cases_la_id"), "cases", ["la_id"])


def _log_and_projection() -> None:
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("client_event_id", sa.String(length=200), nullable=True),
        sa.Column("natural_key", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", _instant(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_case_events_seq_positive")),
        _fk("case_events", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.UniqueConstraint(
            "case_id", "client_event_id", name=op.f("uq_case_events_case_id_client_event_id")
        ),
        sa.UniqueConstraint(
            "case_id", "natural_key", name=op.f("uq_case_events_case_id_natural_key")
        ),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_case_events_case_id_seq")),
    )
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("instance", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("statutory", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("nominal", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("met_by", sa.String(length=80), nullable=True),
        sa.Column("exception", sa.String(length=80), nullable=True),
        sa.Column("exceptions_available", _json(), nullable=False),
        sa.Column("premature_on", sa.Date(), nullable=True),
        sa.Column("trigger", sa.String(length=80), nullable=False),
        sa.Column("trigger_date", sa.Date(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("projected_at", _instant(), nullable=False),
        _fk("deadlines", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
        sa.UniqueConstraint(
            "case_id", "key", "instance", name=op.f("uq_deadlines_case_id_key_instance")
        ),
    )
    op.create_index("ix_deadlines_due_open", "deadlines", ["due", "met_on", "case_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("la_id", sa.Integer(), nullable=True),
        sa.Column("detail", _json(), nullable=False),
        _fk("audit_log", "case_id", "cases"),
        _fk("audit_log", "la_id", "local_authorities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_case_at", "audit_log", ["case_id", "at"])


def _refuse_update_and_delete() -> None:
    """The log and the audit are append-only in the schema itself, not just by convention."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ehc_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: record a correcting event instead', "
            "TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ehc_refuse_change()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: "
                "record a correcting event instead'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION ehc_refuse_change()")
    for table in ("audit_log", "deadlines", "case_events", "cases", "caseworkers", "teams",
                  "local_authorities"):
        op.drop_table(table)
