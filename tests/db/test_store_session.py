"""Settings, connections, migrations and what the store says when the database itself is
the problem (locked, down, not set up)."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from db import directory
from db.base import Base
from db.errors import DatabaseUnavailable
from db.migrate import current_revision, head_revision, import_table_modules, upgrade_to_head
from db.session import make_engine, unit_of_work
from services.errors import Unavailable
from services.settings import load_settings
from services.worklist import worklist


def test_default_database_is_sqlite_in_the_data_dir_under_the_working_directory(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("EHC_DATABASE_URL", raising=False)
    monkeypatch.delenv("EHC_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)

    def database_url():
        return load_settings().resolved_database_url

    assert database_url() == f"sqlite:///{tmp_path / '.data' / 'ehc.sqlite3'}"
    monkeypatch.setenv("EHC_DATA_DIR", "elsewhere")
    assert database_url() == f"sqlite:///{tmp_path / 'elsewhere' / 'ehc.sqlite3'}"
    monkeypatch.setenv("EHC_DATABASE_URL", "postgresql+psycopg://u@db.example/ehc")
    assert database_url() == "postgresql+psycopg://u@db.example/ehc"


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("EHC_DB_BUSY_TIMEOUT", "2.5")
    settings = load_settings()
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.sqlite3'}",
                         busy_timeout_s=settings.db_busy_timeout)
    with engine.connect() as connection:
        pragmas = [connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "foreign_keys", "busy_timeout")]
    engine.dispose()
    assert pragmas == ["wal", 1, 2500]


def test_migrations_reach_head_and_match_the_table_definitions(db_engine):
    import_table_modules()
    assert current_revision(db_engine) == head_revision()
    with db_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrading_an_up_to_date_database_is_harmless(db_engine):
    head = head_revision()
    assert upgrade_to_head(db_engine) == (head, head)


def test_a_locked_sqlite_database_is_reported_as_locked_and_nothing_is_written(
    monkeypatch, sqlite_url
):
    engine = make_engine(sqlite_url, busy_timeout_s=0.2, lock_retry_s=0.3)
    with unit_of_work(engine, write=True) as holder:  # another writer holds the lock
        holder.execute(text("SELECT 1"))
        with pytest.raises(DatabaseUnavailable, match="locked by another process"), \
                unit_of_work(engine, write=True) as session:
            directory.add_la(session, "E06000001", "Hartlepool", actor="t")
    with unit_of_work(engine) as session:
        assert session.scalar(text("SELECT count(*) FROM local_authorities")) == 0
    engine.dispose()


def test_a_database_server_that_is_down_is_reported_as_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/ehc")
    with pytest.raises(DatabaseUnavailable, match="cannot reach the database"), \
            unit_of_work(engine) as session:
        session.execute(text("SELECT 1"))


def test_a_database_never_initialised_says_to_run_ehc_init(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(Unavailable, match="run `ehc init`"):
        worklist(engine, as_of=dt.date(2025, 1, 1))
    engine.dispose()
