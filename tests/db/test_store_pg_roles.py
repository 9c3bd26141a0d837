"""PostgreSQL: migrations as the owner, the application as a role that can only append to
the log. ``ehc init`` (given both URLs) creates and grants that role; the test then
connects as it, for real, and tries what an attacker with the application's password would."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from store_helpers import DECIDED, REQUEST, append, load, open_case

from cli.main import main
from db import directory
from db.session import dispose_engines, make_engine, unit_of_work

pytestmark = pytest.mark.postgres

FORBIDDEN = [
    "TRUNCATE case_events",
    "TRUNCATE audit_log",
    "UPDATE case_events SET recorded_by = 'mallory'",
    "DELETE FROM case_events",
    "UPDATE audit_log SET actor = 'mallory'",
    "DELETE FROM audit_log",
    "ALTER TABLE case_events DISABLE TRIGGER case_events_append_only",
    "ALTER TABLE case_events DISABLE TRIGGER ALL",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "SET session_replication_role = replica",
    "DROP TABLE case_events",
    "ALTER TABLE case_events DROP COLUMN chain_hash",
    "CREATE TABLE evil (x int)",
]


@pytest.fixture
def roles(postgres_url, monkeypatch) -> Iterator[tuple[str, str]]:
    """(owner URL, application URL naming a role that does not exist yet)."""
    owner = make_url(postgres_url)
    role = f"ehc_app_{uuid.uuid4().hex[:10]}"
    app = owner.set(username=role, password="app-secret")  # noqa: S106
    monkeypatch.setenv("EHC_MIGRATION_DATABASE_URL", postgres_url)
    monkeypatch.setenv("EHC_DATABASE_URL", app.render_as_string(hide_password=False))
    dispose_engines()
    yield postgres_url, app.render_as_string(hide_password=False)
    dispose_engines()
    admin = create_engine(owner, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP OWNED BY "{role}"'))
        connection.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


def test_ehc_init_as_owner_creates_the_application_role_and_grants_it_only_appends(
    roles, capsys
):
    owner_url, app_url = roles
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    role = make_url(app_url).username
    assert f"application role {role} (created): SELECT, INSERT only on case_events, audit_log" \
        in out
    assert main(["init"]) == 0  # again: harmless, the grants are re-stated
    assert f"application role {role}: SELECT" in capsys.readouterr().out

    app = make_engine(app_url)
    try:
        with app.connect() as connection:
            assert connection.scalar(text("SELECT current_user")) == role
        with unit_of_work(app, write=True) as session:  # the application's own work
            directory.add_la(session, "E10000028", "Staffordshire", actor="setup")
            directory.add_team(session, "E10000028", "North", actor="setup")
            directory.add_caseworker(session, "alice", "Alice", team="North", actor="setup")
        open_case(app, "C1")
        append(app, "C1", [REQUEST])
        append(app, "C1", [DECIDED])  # rewrites (UPDATE/DELETE) the deadlines projection
        assert load(app).seq == 2
        assert main(["verify"]) == 0
        refused = {}
        for statement in FORBIDDEN:
            with pytest.raises(DBAPIError) as caught, app.begin() as connection:
                connection.execute(text(statement))
            refused[statement] = caught.value.orig.sqlstate  # type: ignore[union-attr]
        assert refused == dict.fromkeys(FORBIDDEN, "42501")  # insufficient_privilege
        assert load(app).seq == 2
    finally:
        app.dispose()


def test_ehc_init_refuses_an_application_role_that_could_rewrite_the_log(roles, capsys):
    owner_url, app_url = roles
    role = make_url(app_url).username
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN SUPERUSER'))
    admin.dispose()
    assert main(["init"]) == 1
    err = capsys.readouterr().err
    assert f"ehc: error: the application role {role} is a superuser" in err
