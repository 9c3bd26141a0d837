"""Revision 0005_web_accounts adds the account tables and takes them away again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from db.migrate import alembic_config, current_revision, head_revision

TABLES = {"users", "web_sessions", "login_attempts"}


def migrate(engine, revision, *, down=False):
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_the_account_tables_come_and_go_with_their_revision(accounts_db):
    assert TABLES <= set(inspect(accounts_db).get_table_names())
    migrate(accounts_db, "0005_web_accounts-1", down=True)  # the revision before ours
    assert current_revision(accounts_db) != "0005_web_accounts"
    assert not TABLES & set(inspect(accounts_db).get_table_names())
    migrate(accounts_db, "head")
    assert current_revision(accounts_db) == head_revision()
    assert TABLES <= set(inspect(accounts_db).get_table_names())
