"""``ehc demo`` in-process against SQLite and a real PostgreSQL: it loads exactly the
generated LA, says what it loaded, re-running adds nothing, and a clashing demo writes
nothing at all."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from db.schema import AuditEntry, Case, CaseEventRow, Caseworker, DeadlineRow, LocalAuthority, Team
from db.session import dispose_engines, make_engine
from demo import generate_demo_la
from tests.cli_run import ehc

AS_OF = "2026-11-23"
DEMO = ["demo", "--seed", "3", "--as-of", AS_OF, "--scale", "small"]




def counts(url):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.__name__: connection.scalar(select(func.count()).select_from(table))
                for table in (LocalAuthority, Team, Caseworker, Case, CaseEventRow, DeadlineRow,
                              AuditEntry)
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def generated():
    return generate_demo_la(3, dt.date.fromisoformat(AS_OF), "small")


def test_demo_loads_exactly_the_generated_la_and_suggests_a_worklist(db_env, capsys, generated):
    code, out, err = ehc(capsys, *DEMO)
    assert code == 0, err
    stored = counts(db_env)
    org = generated.organisation
    assert stored["LocalAuthority"] == 1
    assert stored["Team"] == len(org.teams)
    assert stored["Caseworker"] == len(org.caseworkers())
    assert stored["Case"] == len(generated.cases)
    assert stored["CaseEventRow"] == generated.event_count
    assert f"{len(generated.cases):,} cases" in out
    assert f"{generated.event_count:,} events" in out
    assert f"{stored['DeadlineRow']:,} deadlines" in out
    overdue = re.search(r"On 2026-11-23, ([\d,]+) deadlines are overdue", out)
    assert overdue, out
    assert int(overdue[1].replace(",", "")) > 0

    # ``--as-of`` is suggested only when the demo is not dated today.
    suggested = re.search(r"Next: ehc due --caseworker (\S+)( --as-of 2026-11-23)?\n", out)
    assert suggested, out
    assert suggested[1] in {worker.username for worker in org.caseworkers()}
    code, listing, err = ehc(capsys, "due", "--caseworker", suggested[1], "--as-of", AS_OF)
    assert code == 0, err
    assert re.match(r"[1-9]\d* deadlines? overdue or due by", listing), listing


def test_running_the_same_demo_again_adds_nothing(db_env, capsys):
    assert ehc(capsys, *DEMO)[0] == 0
    before = counts(db_env)
    code, out, _ = ehc(capsys, *DEMO)
    assert code == 0
    assert "nothing new was added" in out
    after = counts(db_env)
    assert {k: v for k, v in after.items() if k != "AuditEntry"} == {
        k: v for k, v in before.items() if k != "AuditEntry"
    }


def test_a_clashing_demo_is_refused_and_writes_nothing(db_env, capsys):
    assert ehc(capsys, *DEMO)[0] == 0
    before = counts(db_env)
    code, out, err = ehc(capsys, "demo", "--seed", "4", "--as-of", AS_OF, "--scale", "small")
    assert code == 1
    assert "nothing was imported" in err
    assert "another --seed or --as-of" in err
    assert "already exists with caseworker" in err
    assert counts(db_env) == before  # not even the second demo's staff


def test_demo_sets_up_a_database_that_does_not_exist_yet(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("EHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("EHC_DATA_DIR", str(tmp_path / "data"))
    dispose_engines()
    try:
        code, out, err = ehc(capsys, *DEMO)
    finally:
        dispose_engines()
    assert code == 0, err
    assert (tmp_path / "data" / "ehc.sqlite3").is_file()
    assert "Loaded" in out


@pytest.mark.parametrize(
    ("argv", "as_of", "next_command"),
    [
        ([], "2026-12-01", "ehc due --caseworker {} \n"),
        (["--as-of", AS_OF], AS_OF, "ehc due --caseworker {} --as-of 2026-11-23\n"),
    ],
)
def test_demo_is_dated_today_in_england_unless_told_otherwise(
    sqlite_url, monkeypatch, capsys, argv, as_of, next_command
):
    monkeypatch.setenv("EHC_DATABASE_URL", sqlite_url)
    dispose_engines()
    # London is on GMT in December: 00:30 UTC is already 1 December there.
    with freeze_time("2026-12-01 00:30:00"):
        code, out, err = ehc(capsys, "demo", "--seed", "3", "--scale", "small", *argv)
    dispose_engines()
    assert code == 0, err
    assert f"as of {as_of}:" in out
    worker = re.search(r"Next: ehc due --caseworker (\S+)", out)[1]
    assert next_command.format(worker).replace(" \n", "\n") in out
