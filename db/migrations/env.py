"""Alembic environment: the metadata of every table module, on the connection we are given.

``db.migrate.upgrade_to_head`` passes its connection in ``config.attributes``; the
``alembic`` command line (developers only) connects to the configured database instead.
Batch mode lets later revisions ALTER tables on SQLite too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from db.base import Base
from db.migrate import import_table_modules
from db.session import make_engine

import_table_modules()  # db.schema, and db.notify_schema (escalations, outbox) when present
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("run `ehc init` (or give alembic -x / sqlalchemy.url a database)")
    engine = make_engine(url)
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run `ehc init`")
run_migrations_online()
