"""How to connect to the database, and the unit of work.

The URL, the busy timeout and the lock retry come from the caller (``services.settings``:
the ``EHC_DATABASE_URL``, ``EHC_DATA_DIR``, ``EHC_DB_BUSY_TIMEOUT`` and
``EHC_DB_LOCK_RETRY_SECONDS`` variables); nothing here reads the environment.

A SQLite database holds children's data: its directory is created 0700 and its file 0600
(SQLite gives its -wal and -shm files the file's mode).

On SQLite every connection gets WAL (readers never block the writer), a busy timeout
and foreign keys. Write units of work start with ``BEGIN IMMEDIATE``, so two writers are
serialised up front: the second one waits, then sees the first one's events (and is told
the case changed) instead of failing half-way with a stale snapshot; one still waiting
after the busy timeout keeps asking for the lock retry's seconds before it is told the
database is locked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from db.errors import DatabaseUnavailable

DEFAULT_BUSY_TIMEOUT_S = 10.0
DEFAULT_LOCK_RETRY_S = 30.0
LOCK_RETRY_PAUSE_S = 0.1


def describe(url: str | URL) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(
    url: str,
    *,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    lock_retry_s: float = DEFAULT_LOCK_RETRY_S,
) -> Engine:
    """A new engine for ``url`` (SQLite: a writer waits ``busy_timeout_s`` for the lock,
    then keeps asking for ``lock_retry_s`` more before it is reported locked)."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        return _sqlite_engine(sa_url, busy_timeout_s, lock_retry_s)
    return create_engine(sa_url, pool_pre_ping=True)


_ENGINES: dict[str, Engine] = {}


def get_engine(
    url: str,
    *,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    lock_retry_s: float = DEFAULT_LOCK_RETRY_S,
) -> Engine:
    """The process-wide engine for ``url`` (created on first use)."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url, busy_timeout_s=busy_timeout_s,
                                    lock_retry_s=lock_retry_s)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every engine ``get_engine`` made (tests switch databases between cases)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def _sqlite_engine(url: URL, timeout: float, retry_for: float) -> Engine:
    if url.database and url.database != ":memory:":
        _create_private(Path(url.database))
    engine = create_engine(url, connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        # A write lock still held after the busy timeout (a long import, a big rebuild):
        # nothing is done yet, so keep asking for a bounded while before giving up.
        give_up = time.monotonic() + retry_for
        while True:
            try:
                connection.exec_driver_sql(f"BEGIN {mode}")
                return
            except OperationalError as exc:
                if "locked" not in str(exc.orig).lower() or time.monotonic() >= give_up:
                    raise
                time.sleep(LOCK_RETRY_PAUSE_S)

    return engine


def _create_private(path: Path) -> None:
    """Make a missing data directory 0700 and a missing database file 0600 (SQLite would
    create it with the umask's mode, usually world-readable); existing ones are left as
    they are."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction: committed if the block finishes, rolled back if it raises.

    Args:
        write: take the write lock at the start (SQLite ``BEGIN IMMEDIATE``); use it for
            every unit of work that appends or rewrites.
    """
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if write else engine
    with database_errors(engine.url), Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def database_errors(url: str | URL) -> Iterator[None]:
    """Turn driver errors about the database itself (locked, down, not initialised) into
    ``DatabaseUnavailable`` with a message that says what to do."""
    try:
        yield
    except DBAPIError as exc:
        message = explain_database_error(exc, url)
        if message is None:
            raise
        raise DatabaseUnavailable(message) from exc


def explain_database_error(exc: DBAPIError, url: str | URL) -> str | None:
    text = str(exc.orig).lower()
    where = describe(url)
    if "database is locked" in text or "database is busy" in text:
        return (
            f"the database {where} is locked by another process (a long import?); "
            "nothing was written: try again in a moment"
        )
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return f"the database {where} is not set up yet: run `ehc init` first"
    if "unable to open database file" in text:
        return f"cannot open the database file {where}: check EHC_DATA_DIR and permissions"
    lost = any(word in text for word in ("refused", "failed", "timeout", "terminat"))
    if exc.connection_invalidated or ("connection" in text and lost):
        return f"cannot reach the database {where}: is the server running? ({exc.orig})"
    return None
