"""Revision 0006_plain_explanations adds the deadlines' family explanation, warnings,
exception-recording date and escalates flag, and takes them away again, on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from db.migrate import alembic_config, current_revision, head_revision

COLUMNS = {"plain_explanation", "warnings", "exception_recorded_on", "escalates"}


def migrate(engine, revision, *, down=False):
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def deadline_columns(engine):
    return {column["name"] for column in inspect(engine).get_columns("deadlines")}


def test_the_deadline_columns_come_and_go_with_their_revision(staffed):
    assert COLUMNS <= deadline_columns(staffed)
    migrate(staffed, "0006_plain_explanations-1", down=True)  # the revision before ours
    assert current_revision(staffed) != "0006_plain_explanations"
    assert not COLUMNS & deadline_columns(staffed)
    migrate(staffed, "head")
    assert current_revision(staffed) == head_revision()
    assert COLUMNS <= deadline_columns(staffed)
