"""Revision 0003 (outbox statuses ``withdrawn`` and ``suppressed``) upgrades a database
that already holds outbox rows, on SQLite (batch rebuild) and on a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from db.migrate import alembic_config, current_revision
from db.session import make_engine

T0 = dt.datetime(2026, 6, 22, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path) -> Iterator[Engine]:
    """A database with no schema at all, on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    name = f"ehc_migration_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def add_row(engine: Engine, key: str, status: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO outbox (key, kind, la_id, recipient_role, recipient_email, payload, "
            "message_id, status, created_at, next_attempt_at) VALUES (:key, 'digest', 1, "
            "'caseworker', 'cw@council.example', '{}', :mid, :status, :at, :at)"
        ), {"key": key, "mid": f"<{key}@x>", "status": status, "at": T0})


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT key, status FROM outbox")).all())


def test_revision_0003_keeps_existing_outbox_rows_and_admits_the_two_terminal_statuses(
    empty_engine,
):
    migrate(empty_engine, "0002")
    with empty_engine.begin() as connection:
        connection.execute(text("INSERT INTO local_authorities (code, name) VALUES ('X', 'X')"))
    add_row(empty_engine, "old-sent", "sent")
    add_row(empty_engine, "old-pending", "pending")
    with pytest.raises(IntegrityError):
        add_row(empty_engine, "too-early", "withdrawn")

    migrate(empty_engine, "0003")
    assert current_revision(empty_engine) == "0003"
    add_row(empty_engine, "stale", "withdrawn")
    add_row(empty_engine, "baseline", "suppressed")
    with pytest.raises(IntegrityError):
        add_row(empty_engine, "bogus", "lost")
    assert statuses(empty_engine) == {
        "old-sent": "sent", "old-pending": "pending", "stale": "withdrawn",
        "baseline": "suppressed",
    }
    found = inspect(empty_engine)
    assert {u["name"] for u in found.get_unique_constraints("outbox")} == {
        "uq_outbox_key", "uq_outbox_message_id"
    }
    assert "ix_outbox_la_status_next" in {i["name"] for i in found.get_indexes("outbox")}
    assert {fk["referred_table"] for fk in found.get_foreign_keys("outbox")} == {
        "escalations", "local_authorities"
    }


def test_downgrading_0003_turns_withdrawn_and_suppressed_rows_into_failed_ones(empty_engine):
    migrate(empty_engine, "0003")
    with empty_engine.begin() as connection:
        connection.execute(text("INSERT INTO local_authorities (code, name) VALUES ('X', 'X')"))
    add_row(empty_engine, "stale", "withdrawn")
    add_row(empty_engine, "baseline", "suppressed")
    add_row(empty_engine, "sent", "sent")
    migrate(empty_engine, "0002", down=True)
    assert statuses(empty_engine) == {"stale": "failed", "baseline": "failed", "sent": "sent"}
    with pytest.raises(IntegrityError):
        add_row(empty_engine, "again", "withdrawn")
