"""Links without signing in and other systems' tokens: family links, iCalendar feed
tokens, API tokens and the API calls their rate limit counts (only token hashes stored).

Revision ID: 0008_family_links
Revises: 0007_person_record
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_family_links"
down_revision: str | None = "0007_person_record"
branch_labels: str | None = None
depends_on: str | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _token(table: str) -> list[sa.Column[int] | sa.Column[str] | sa.Constraint]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{table}_token_hash")),
    ]


def upgrade() -> None:
    op.create_table(
        "family_links",
        *_token("family_links"),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("notified_stage", sa.String(length=40), nullable=True),
        _fk("family_links", "case_id", "cases"),
    )
    op.create_index(op.f("ix_family_links_case_id"), "family_links", ["case_id"])
    op.create_table(
        "feed_tokens",
        *_token("feed_tokens"),
        sa.Column("la_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('caseworker', 'team', 'case')",
                           name=op.f("ck_feed_tokens_kind")),
        _fk("feed_tokens", "la_id", "local_authorities"),
    )
    op.create_index(op.f("ix_feed_tokens_la_id"), "feed_tokens", ["la_id"])
    op.create_table(
        "api_tokens",
        *_token("api_tokens"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("la_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'write')", name=op.f("ck_api_tokens_scope")),
        _fk("api_tokens", "la_id", "local_authorities"),
    )
    op.create_index(op.f("ix_api_tokens_la_id"), "api_tokens", ["la_id"])
    op.create_table(
        "api_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _fk("api_calls", "token_id", "api_tokens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_calls")),
    )
    op.create_index("ix_api_calls_token_id_at", "api_calls", ["token_id", "at"])


def downgrade() -> None:
    op.drop_table("api_calls")
    op.drop_table("api_tokens")
    op.drop_table("feed_tokens")
    op.drop_table("family_links")
