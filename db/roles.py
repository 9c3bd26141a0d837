"""PostgreSQL: the application's role may read everything but only append to the log.

Migrations run as the schema's owner (``EHC_MIGRATION_DATABASE_URL``); the application
connects as another role (``EHC_DATABASE_URL``). ``grant_application_role``, which
``ehc init`` runs as the owner after upgrading (``services.store.init_database``), creates
that role when it is missing and sets its privileges to exactly:

- ``SELECT, INSERT`` on the event log and the audit log (``APPEND_ONLY``): no UPDATE,
  DELETE or TRUNCATE, and, not being the owner, no ``ALTER TABLE ... DISABLE TRIGGER``;
- ``SELECT, INSERT, UPDATE, DELETE`` on every other table (projections, directory,
  escalations, outbox), ``SELECT`` on ``alembic_version``, and its sequences' ``USAGE``.

A role that is a superuser, bypasses row security or owns the tables is refused: it could
rewrite the log whatever it was granted. ``SET session_replication_role`` needs a
superuser, so the application role cannot switch the triggers off that way either.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, literal, text
from sqlalchemy.engine import make_url

from db.base import Base
from db.errors import StoreError
from db.migrate import import_table_modules
from db.session import database_errors

APPEND_ONLY = ("case_events", "audit_log")
READ_ONLY = ("alembic_version",)


class RoleRefused(StoreError):
    """The application role cannot be made safe (a superuser, an owner, no name)."""


@dataclass(frozen=True)
class RoleGrant:
    role: str
    created: bool
    append_only: tuple[str, ...]
    read_write: tuple[str, ...]


def application_role(app_url: str, owner_url: str) -> str | None:
    """The role to grant, or None when the application runs as the owner (one role)."""
    app, owner = make_url(app_url), make_url(owner_url)
    if app.get_backend_name() != "postgresql" or app.username == owner.username:
        return None
    if not app.username:
        raise RoleRefused(
            "EHC_DATABASE_URL names no user: the application's role must be given there "
            "(postgresql+psycopg://ehc_app@host/db) when EHC_MIGRATION_DATABASE_URL is set"
        )
    return app.username


def grant_application_role(owner: Engine, app_url: str) -> RoleGrant | None:
    """As the schema's ``owner``: create the application role if missing and give it
    exactly its privileges (one transaction). None when the application connects as the
    owner (SQLite, or one PostgreSQL role)."""
    owner_url = owner.url.render_as_string(hide_password=False)
    if application_role(app_url, owner_url) is None:
        return None
    with database_errors(owner.url), owner.begin() as connection:
        return _grant(connection, app_url)


def _grant(connection: Connection, app_url: str) -> RoleGrant:
    url = make_url(app_url)
    role = url.username or ""
    quoted = connection.dialect.identifier_preparer.quote(role)
    found = connection.execute(
        text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).first()
    if found is None:
        password = ""
        if url.password:
            secret = literal(str(url.password)).compile(
                dialect=connection.dialect, compile_kwargs={"literal_binds": True})
            password = f" PASSWORD {secret}"
        connection.execute(text(f"CREATE ROLE {quoted} LOGIN{password}"))
    elif found[0] or connection.scalar(
        text("SELECT pg_has_role(:role, current_user, 'MEMBER')"), {"role": role}
    ):
        raise RoleRefused(
            f"the application role {role} is a superuser, bypasses row security or is a "
            "member of the owner role: it could rewrite the event log; give the "
            "application an ordinary role of its own"
        )
    tables = _our_tables(connection)
    owned = connection.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
             "AND tableowner = :role"), {"role": role},
    ).all()
    if owned:
        raise RoleRefused(
            f"the application role {role} owns {', '.join(sorted(owned))}: run "
            f"REASSIGN OWNED BY {role} TO <owner> as a superuser first"
        )
    read_write = tuple(t for t in tables if t not in APPEND_ONLY + READ_ONLY)
    schema = connection.dialect.identifier_preparer.quote(
        str(connection.scalar(text("SELECT current_schema()"))))
    for statement in (
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}",
        f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
        f"GRANT SELECT, INSERT ON {', '.join(APPEND_ONLY)} TO {quoted}",
        f"GRANT SELECT ON {', '.join(READ_ONLY)} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(read_write)} TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
    ):
        connection.execute(text(statement))
    return RoleGrant(role, found is None, APPEND_ONLY, read_write)


def _our_tables(connection: Connection) -> list[str]:
    import_table_modules()
    present = set(connection.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).all())
    return [t for t in (*Base.metadata.tables, *READ_ONLY) if t in present]
