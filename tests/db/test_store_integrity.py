"""A store that cannot be rewritten, and that shows it when someone did: no silent
REPLACE, a private SQLite file, the hash chain (written on append, back-filled by its
migration) and ``ehc verify``, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import os
import stat

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from store_helpers import DECIDED, EP_ADVICE, REQUEST, append, load, open_case

from db.migrate import alembic_config
from db.schema import CaseEventRow
from db.session import dispose_engines, unit_of_work
from tests.cli_run import ehc

COLUMNS = ("id, case_id, seq, type, event_date, payload, schema_version, client_event_id, "
           "natural_key, recorded_at, recorded_by, chain_hash")


@pytest.fixture
def logged(staffed):
    open_case(staffed, "C1")
    append(staffed, "C1", [REQUEST, DECIDED, EP_ADVICE])
    open_case(staffed, "C2", caseworker="bob")
    append(staffed, "C2", [REQUEST], by="bob")
    return staffed




def chain_hashes(engine):
    with unit_of_work(engine) as session:
        rows = session.execute(select(CaseEventRow.case_id, CaseEventRow.seq,
                                      CaseEventRow.chain_hash).order_by(CaseEventRow.id))
        return [tuple(row) for row in rows]


def tamper(engine, statement):
    """Run ``statement`` on the log as its owner would: past the append-only triggers."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(statement))
            return
        connection.execute(text("DROP TRIGGER case_events_no_update"))
        connection.execute(text("DROP TRIGGER case_events_no_delete"))
        connection.execute(text(statement))


# --- nothing replaced ---------------------------------------------------------------------


@pytest.mark.parametrize("table", ["case_events", "audit_log"])
def test_an_insert_that_would_replace_a_logged_row_is_refused(logged, table):
    events = table == "case_events"
    columns = COLUMNS if events else "id, at, actor, action, case_id, la_id, detail"
    spoofed = columns.replace("recorded_by", "'mallory'").replace("actor", "'mallory'")
    first = "seq = 1" if events else "id = (SELECT min(id) FROM audit_log)"
    who = "recorded_by" if events else "actor"
    copy = f"({columns}) SELECT {spoofed} FROM {table} WHERE {first}"
    if logged.dialect.name == "sqlite":  # REPLACE deletes without firing delete triggers
        statement = f"INSERT OR REPLACE INTO {table} {copy}"
    else:
        statement = (f"INSERT INTO {table} {copy} "
                     f"ON CONFLICT (id) DO UPDATE SET {who} = excluded.{who}")
    with pytest.raises(DBAPIError, match="append-only"), logged.begin() as connection:
        connection.execute(text(statement))
    with logged.connect() as connection:
        spoofs = connection.scalar(text(f"SELECT count(*) FROM {table} WHERE {who} = 'mallory'"))
    assert spoofs == 0


def test_an_ordinary_append_still_works_after_the_replace_guard(logged):
    append(logged, "C1", [{"type": "advice_requested", "date": "2025-02-12",
                           "advisor": "health_icb"}])
    assert load(logged).seq == 4


# --- a private SQLite file ------------------------------------------------------------------


def test_the_sqlite_database_and_its_directory_are_private(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("EHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("EHC_DATA_DIR", str(tmp_path / "data"))
    old = os.umask(0o022)  # the usual default: files world-readable
    try:
        dispose_engines()
        assert ehc(capsys, "init")[0] == 0
        assert ehc(capsys, "staff", "la", "E10000028", "--name", "Staffs")[0] == 0
        # while the engine is open its WAL files exist too
        modes = {path.name: stat.S_IMODE(path.stat().st_mode)
                 for path in [tmp_path / "data", *(tmp_path / "data").iterdir()]}
    finally:
        os.umask(old)
        dispose_engines()
    assert modes == {"data": 0o700, "ehc.sqlite3": 0o600, "ehc.sqlite3-wal": 0o600,
                     "ehc.sqlite3-shm": 0o600}


# --- the hash chain -------------------------------------------------------------------------


def test_every_append_links_the_event_to_the_case_previous_one(logged):
    hashes = chain_hashes(logged)
    assert [seq for _, seq, _ in hashes] == [1, 2, 3, 1]
    assert all(len(h) == 64 for *_, h in hashes)
    assert len({h for *_, h in hashes}) == 4
    # C2's first event and C1's first event say the same thing but are different links.
    assert hashes[0][2] != hashes[3][2]


def test_the_migration_back_fills_the_chain_exactly_as_appends_write_it(logged):
    written = chain_hashes(logged)
    config = alembic_config()
    with logged.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004_event_hash_chain-1")  # the revision before ours
    with logged.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert chain_hashes(logged) == written
    append(logged, "C1", [{"type": "advice_requested", "date": "2025-02-12",
                           "advisor": "health_icb"}])  # triggers are back after the rebuild
    with pytest.raises(DBAPIError, match="append-only"), logged.begin() as connection:
        connection.execute(text("UPDATE case_events SET recorded_by = 'mallory'"))


# --- ehc verify -----------------------------------------------------------------------------


@pytest.fixture
def verify_env(logged, db_env):
    return logged


def test_verify_finds_an_intact_store_intact(verify_env, capsys):
    code, out, err = ehc(capsys, "verify")
    assert (code, err) == (0, "")
    assert "checked 2 cases, 4 events" in out
    assert "intact" in out
    digest = out.split("chain heads digest: ")[1].split()[0]
    append(verify_env, "C2", [DECIDED])
    assert ehc(capsys, "verify")[1].split("chain heads digest: ")[1].split()[0] != digest


def test_verify_catches_an_event_edited_behind_the_triggers_back(verify_env, capsys):
    tamper(verify_env, "UPDATE case_events SET event_date = '2025-01-20', recorded_by = 'bob' "
                       "WHERE seq = 2 AND case_id = (SELECT id FROM cases WHERE reference = 'C1')")
    code, out, err = ehc(capsys, "verify")
    assert code == 1
    assert "C1: chain: event #2 (decision_to_assess_notified) does not match its hash" in err
    assert "C2" not in err
    assert err.strip().endswith("ehc: error: the store is NOT intact: 1 finding above")
    assert "intact: no event" not in out


def test_verify_catches_a_hash_recomputed_by_the_editor_at_the_next_link(verify_env, capsys):
    from db import chain

    with unit_of_work(verify_env) as session:
        row = session.scalar(select(CaseEventRow).where(CaseEventRow.seq == 1)
                             .order_by(CaseEventRow.id))
        values = {name: getattr(row, name) for name in chain.CHAINED}
        values["recorded_by"] = "bob"
        forged = chain.link(chain.GENESIS, values)
        row_id = row.id
    tamper(verify_env, f"UPDATE case_events SET recorded_by = 'bob', chain_hash = '{forged}' "
                       f"WHERE id = {row_id}")
    code, _, err = ehc(capsys, "verify", "--case", "C1")
    assert code == 1
    assert "C1: chain: event #2 (decision_to_assess_notified) does not match its hash" in err
    assert "event #1" not in err


def test_verify_catches_a_deleted_event_and_a_deleted_last_event(verify_env, capsys):
    tamper(verify_env, "DELETE FROM case_events WHERE seq = 2 AND case_id = "
                       "(SELECT id FROM cases WHERE reference = 'C1')")
    tamper_last = ("DELETE FROM case_events WHERE case_id = "
                   "(SELECT id FROM cases WHERE reference = 'C2')")
    if verify_env.dialect.name == "sqlite":
        with verify_env.begin() as connection:
            connection.execute(text(tamper_last))
    else:
        tamper(verify_env, tamper_last)
    code, _, err = ehc(capsys, "verify")
    assert code == 1
    assert "C1: sequence: event #3 follows #1: events are missing" in err
    assert "C1: chain: event #3 (advice_requested) does not match its hash" in err
    assert "C2: sequence: the audit log records events up to #1, the log holds up to #0" in err


def test_verify_catches_a_projection_that_no_longer_follows_from_the_log(verify_env, capsys):
    with verify_env.begin() as connection:
        connection.execute(text(
            "UPDATE deadlines SET due = '2030-01-01' WHERE key = 'final_plan_due' "
            "AND case_id = (SELECT id FROM cases WHERE reference = 'C1')"))
    code, _, err = ehc(capsys, "verify")
    assert code == 1
    assert "C1: projection: the deadlines differ from a fresh rebuild (1 different: " in err
    assert "run `ehc rebuild-projections`" in err
    assert ehc(capsys, "rebuild-projections", "--user", "tester")[0] == 0
    assert ehc(capsys, "verify")[0] == 0


def test_verify_of_an_unknown_case_says_so(verify_env, capsys):
    code, _, err = ehc(capsys, "verify", "--case", "NOPE")
    assert (code, err.strip()) == (1, "ehc: error: unknown case 'NOPE'")
