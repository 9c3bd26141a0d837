"""Writing many rows at database speed, in the caller's transaction: ``COPY`` on
PostgreSQL, one ``executemany`` per table on SQLite.

Rows are tuples already converted for the driver (``RowFormat``, by SQLAlchemy's own
bind processors for the backend, so what is stored is exactly what an ORM or Core insert
stores); converting them is done where they are planned (``db.import_plan``), which may be
a worker process. Nothing here goes through the ORM: the caller flushes first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, text, update
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from db import chain
from db.base import Base
from db.deadline_rows import DEADLINE_FIELDS
from db.errors import ImportCollided

CASES: Table = Base.metadata.tables["cases"]
EVENT_COLUMNS = (*chain.CHAINED, "chain_hash")
DEADLINE_COLUMNS = ("case_id", *DEADLINE_FIELDS, "exceptions_available", "warnings",
                    "projected_at")
AUDIT_COLUMNS = ("at", "actor", "action", "case_id", "la_id", "detail")
CASE_COLUMNS = ("id", "reference", "la_id", "caseworker_id", "process", "opened_at", "stage")
_DIALECTS: dict[str, Callable[[], Dialect]] = {
    "sqlite": pysqlite.SQLiteDialect_pysqlite,
    "postgresql": pg_psycopg.dialect,
}
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class RowFormat:
    """Turns a row's values (a mapping by column) into the tuple the driver takes."""

    processors: Mapping[str, tuple[tuple[str, Processor], ...]]  # table -> its columns

    @classmethod
    def for_dialect(cls, name: str) -> RowFormat:
        dialect = _DIALECTS[name]()

        def of(table: str, columns: Sequence[str]) -> tuple[tuple[str, Processor], ...]:
            found = Base.metadata.tables[table].c
            return tuple((column, found[column].type.dialect_impl(dialect)
                          .bind_processor(dialect)) for column in columns)

        return cls({"case_events": of("case_events", EVENT_COLUMNS),
                    "deadlines": of("deadlines", DEADLINE_COLUMNS),
                    "audit_log": of("audit_log", AUDIT_COLUMNS),
                    "cases": of("cases", CASE_COLUMNS)})

    def row(self, table: str, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(values[column] if process is None else process(values[column])
                     for column, process in self.processors[table])

    def event_row(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return self.row("case_events", values)

    def deadline_row(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return self.row("deadlines", values)

    def audit_row(self, **values: Any) -> tuple[Any, ...]:
        return self.row("audit_log", values)

    def case_row(self, **values: Any) -> tuple[Any, ...]:
        return self.row("cases", values)


COLUMNS = {"case_events": EVENT_COLUMNS, "deadlines": DEADLINE_COLUMNS,
           "audit_log": AUDIT_COLUMNS, "cases": CASE_COLUMNS}


class BulkWriter:
    """Inserts formatted rows into the session's transaction (``session.flush()`` first:
    nothing here sees what the ORM still holds)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.format = RowFormat.for_dialect(self.dialect)

    def new_case_ids(self, count: int) -> list[int]:
        """``count`` ids for cases about to be inserted, taken as the database would."""
        if count == 0:
            return []
        if self.dialect == "postgresql":
            query = text("SELECT nextval(pg_get_serial_sequence('cases', 'id')) "
                         "FROM generate_series(1, :n)")
            return list(self.session.scalars(query, {"n": count}))
        # SQLite gives a new row max(id) + 1; the write lock (BEGIN IMMEDIATE) is held.
        top = self.session.scalar(text("SELECT coalesce(max(id), 0) FROM cases")) or 0
        return list(range(top + 1, top + 1 + count))

    def insert(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (tuples in ``COLUMNS[table]`` order).

        Raises:
            ImportCollided: a row another writer has just written (the same case, seq or
                event id): nothing of this transaction may be committed.
        """
        if not rows:
            return
        names = ", ".join(f'"{column}"' for column in COLUMNS[table])
        try:
            if self.dialect == "postgresql":
                self._copy(f"COPY {table} ({names}) FROM STDIN", rows)
            else:
                marks = ", ".join("?" for _ in COLUMNS[table])
                self.session.connection().exec_driver_sql(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))
        except IntegrityError as exc:
            raise ImportCollided(str(exc.orig).splitlines()[0]) from exc

    def set_stages(self, stages: Sequence[tuple[int, str, bool]]) -> None:
        """Set ``cases.stage`` for each (case id, stage, deadlines changed); a case whose
        deadlines changed is read by the next sweep (``next_sweep_on`` cleared, as
        ``rewrite_deadlines`` does)."""
        for changed in (True, False):
            values = [{"case": case_id, "new_stage": stage}
                      for case_id, stage, clear in stages if clear is changed]
            if values:
                statement = update(CASES).where(CASES.c.id == bindparam("case")).values(
                    stage=bindparam("new_stage"),
                    **({"next_sweep_on": None} if changed else {}))
                self.session.connection().execute(statement, values)

    def _copy(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        import psycopg  # only PostgreSQL needs it

        driver = self.session.connection().connection.driver_connection
        assert driver is not None
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:  # raised as SQLAlchemy would have, for the same handling
            raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
