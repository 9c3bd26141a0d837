"""Shared database fixtures: every storage test runs on SQLite and on a real PostgreSQL.

``db_url`` / ``db_engine`` are parametrised over both backends (ids ``sqlite`` and
``postgres``); ``sqlite_url``/``postgres_url`` pin one. Each test gets an empty, migrated
database: a copy of a migrated SQLite file, or the session's PostgreSQL scratch database
with every table emptied. ``db_env`` also points ``EHC_DATABASE_URL`` at it (CLI tests).

PostgreSQL: the server at ``EHC_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) gets one uniquely named scratch
database per test session, dropped afterwards. If nothing answers there, a private server
is started from the installed binaries (initdb + pg_ctl, as the ``postgres`` user when
running as root). If that fails too, PostgreSQL tests are skipped, except under
``CI=true``, where they fail loudly.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from db.migrate import upgrade_to_head
from db.session import dispose_engines, make_engine

DEFAULT_TEST_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


# --- PostgreSQL server ---------------------------------------------------------------------


def _answers(url: URL) -> str | None:
    """None if a server answers at ``url``, else why not."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any failure means "not usable"
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_private_postgres() -> tuple[URL, Callable[[], None]]:
    """Start a throw-away PostgreSQL on a free loopback port; returns (URL, stop)."""
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    found = shutil.which("initdb")
    if not initdbs and not found:
        raise RuntimeError("no PostgreSQL binaries (initdb) installed")
    bindir = Path(initdbs[-1] if initdbs else str(found)).parent
    base = Path(tempfile.mkdtemp(prefix="ehc-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {base} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    try:
        run(str(bindir / "initdb"), "-D", f"{base}/data", "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8")
        run(str(bindir / "pg_ctl"), "-D", f"{base}/data", "-l", f"{base}/pg.log", "-w",
            "-o", options, "start")
    except (subprocess.SubprocessError, OSError) as exc:
        log = base / "pg.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        stderr = getattr(exc, "stderr", b"") or b""
        message = f"could not start PostgreSQL: {exc} {stderr.decode()} {detail}"
        raise RuntimeError(message) from exc

    def stop() -> None:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", f"{base}/data", "-m", "fast",
                        "-w", "stop"], check=False, capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)

    return make_url(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"), stop


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI and is unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture(scope="session")
def private_postgres() -> Callable[[], tuple[URL, Callable[[], None]]]:
    """``start_private_postgres``, for the test that proves the fallback works here."""
    return start_private_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[URL]:
    """A URL of a PostgreSQL server's maintenance database that answers."""
    url = make_url(os.environ.get("EHC_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES)
    why = _answers(url)
    if why is None:
        yield url
        return
    try:
        private, stop = start_private_postgres()
    except RuntimeError as exc:
        _unavailable(f"{url.render_as_string()} does not answer ({why}); {exc}")
        return
    try:
        yield private
    finally:
        stop()


@pytest.fixture(scope="session")
def postgres_scratch_url(postgres_server: URL) -> Iterator[URL]:
    """A fresh, migrated database for this test session, dropped at the end."""
    name = f"ehc_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_server.set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade_to_head(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_engine(postgres_scratch_url: URL) -> Iterator[Engine]:
    engine = make_engine(postgres_scratch_url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    """Empty every table but Alembic's. DELETE with triggers off (replica role: also skips
    the append-only guards and FK checks) takes 2 ms; TRUNCATE, the fallback when we are
    not a superuser, takes 250 ms."""
    with engine.connect() as connection:
        tables = connection.scalars(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'"
        )).all()
        connection.rollback()
        try:
            with connection.begin():
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))
            return
        except DBAPIError:
            pass
        with connection.begin():
            names = ", ".join(f'"{table}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


# --- SQLite --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "ehc.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.connect() as connection:  # fold the WAL into the file before copying it
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


# --- per-test databases --------------------------------------------------------------------


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "data" / "ehc.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(_postgres_engine: Engine) -> str:
    _empty_all_tables(_postgres_engine)
    return _postgres_engine.url.render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty migrated database on each backend in turn."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``EHC_DATABASE_URL`` set to the test's database (for the CLI and flows)."""
    monkeypatch.setenv("EHC_DATABASE_URL", db_url)
    dispose_engines()
    yield db_url
    dispose_engines()


# --- a staffed local authority -------------------------------------------------------------

STAFFS = "E10000028"  # Staffordshire: calendar data ships with the package
HARTLEPOOL = "E06000001"  # no shipped calendar: plain England & Wales until one is loaded


def seed_staff(engine: Engine) -> Engine:
    """Two LAs with teams, managers, heads of service and caseworkers alice, bob (North),
    carol (South) in Staffordshire and dave in Hartlepool."""
    from db.directory import add_caseworker, add_la, add_team
    from db.session import unit_of_work

    with unit_of_work(engine, write=True) as s:
        add_la(s, STAFFS, "Staffordshire County Council", actor="setup",
               head_of_service_name="Harriet Head", head_of_service_email="head@staffs.example")
        add_team(s, STAFFS, "North", actor="setup", manager_name="Mo Manager",
                 manager_email="mo@staffs.example")
        add_team(s, STAFFS, "South", actor="setup", manager_name="Sam Manager",
                 manager_email="sam@staffs.example")
        for username, team in (("alice", "North"), ("bob", "North"), ("carol", "South")):
            add_caseworker(s, username, username.title(), team=team, actor="setup",
                           email=f"{username}@staffs.example")
        add_la(s, HARTLEPOOL, "Hartlepool Borough Council", actor="setup")
        add_team(s, HARTLEPOOL, "Central", actor="setup")
        add_caseworker(s, "dave", "Dave", team="Central", actor="setup")
    return engine


@pytest.fixture
def staffed(db_engine: Engine) -> Engine:
    """``db_engine`` with the staff of ``seed_staff``."""
    return seed_staff(db_engine)


@pytest.fixture
def fresh_sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """Another empty migrated SQLite database, apart from ``db_url``'s, with the same
    staff (e.g. to import an export into)."""
    path = tmp_path / "fresh" / "ehc.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(_sqlite_template, path)
    engine = seed_staff(make_engine(f"sqlite:///{path}"))
    yield engine
    engine.dispose()


@pytest.fixture
def staffed_env(db_env: str, staffed: Engine) -> str:
    """The staffed database, also selected through ``EHC_DATABASE_URL``."""
    return db_env
