"""Create or upgrade the database schema with Alembic, from any working directory."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from db.session import database_errors

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Every module that defines tables on ``db.base.Base`` (present ones are imported).
TABLE_MODULES = (
    "db.schema", "db.notify_schema", "db.account_schema", "db.person_schema", "db.link_schema",
)


def import_table_modules() -> None:
    """Register every table on ``Base.metadata``, so migrations and checks see them all."""
    for name in TABLE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with database_errors(engine.url), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest revision; returns (revision before, revision after)."""
    before = current_revision(engine)
    config = alembic_config()
    with database_errors(engine.url), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, current_revision(engine)
