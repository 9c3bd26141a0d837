"""Writing many rows at database speed, in the caller's transaction: ``COPY`` on
PostgreSQL, one ``executemany`` per table on SQLite.

A row is formatted for its backend where it is planned (``db.import_plan``, which may be a
worker process), so that the process holding the transaction only sends it: on SQLite a
tuple of the values the driver binds, stored exactly as SQLAlchemy's own bind processors
store them (``tests/db/test_bulk_write.py`` holds them to it); on PostgreSQL a line of
``COPY`` text. Nothing here goes through the ORM: the caller flushes first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, Table, bindparam, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from db import chain
from db.base import Base, UtcDateTime
from db.deadline_rows import DEADLINE_FIELDS
from db.errors import ImportCollided

CASES: Table = Base.metadata.tables["cases"]
COLUMNS: dict[str, tuple[str, ...]] = {
    "case_events": (*chain.CHAINED, "chain_hash"),
    "deadlines": ("case_id", *DEADLINE_FIELDS, "exceptions_available", "warnings",
                  "projected_at"),
    "audit_log": ("at", "actor", "action", "case_id", "la_id", "detail"),
    "cases": ("id", "reference", "la_id", "caseworker_id", "process", "opened_at", "stage"),
}
# SQLite's page cache while an import writes: the indexes on due dates take rows in no
# order, and a cache that holds them saves a quarter of the write.
IMPORT_CACHE_KIB = 131_072
Row = tuple[Any, ...] | str  # SQLite: the bound values; PostgreSQL: one line of COPY text
Convert = Callable[[Any], Any]


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:  # as UtcDateTime refuses it
        raise ValueError(f"naive datetime {value!r} refused: instants must be aware")
    return value.astimezone(dt.UTC)


def _sqlite(kind: Any) -> Convert | None:
    """What SQLAlchemy's SQLite bind processor for ``kind`` does, without its overhead."""
    if isinstance(kind, UtcDateTime):
        return lambda v: None if v is None else \
            _utc(v).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, JSON):
        return json.dumps
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(bool(v))
    return None


_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_SPECIAL = re.compile(r"[\\\n\r\t]")


def _escaped(value: str) -> str:
    return value.translate(_ESCAPES) if _SPECIAL.search(value) else value


def _copy_text(kind: Any) -> Convert:
    """A value as PostgreSQL's COPY text format spells it (NULL is ``\\N``)."""
    if isinstance(kind, UtcDateTime):
        return lambda v: "\\N" if v is None else _utc(v).isoformat()
    if isinstance(kind, Date):
        return lambda v: "\\N" if v is None else v.isoformat()
    if isinstance(kind, JSON):
        return lambda v: _escaped(json.dumps(v))
    if isinstance(kind, Boolean):
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if isinstance(kind, Integer):
        return lambda v: "\\N" if v is None else str(v)
    return lambda v: "\\N" if v is None else _escaped(v)


@dataclass(frozen=True)
class RowFormat:
    """Turns a row's values (a mapping by column) into what ``BulkWriter`` sends."""

    dialect: str
    converters: Mapping[str, tuple[tuple[str, Convert | None], ...]]  # by table

    @classmethod
    def for_dialect(cls, name: str) -> RowFormat:
        if name not in ("sqlite", "postgresql"):
            raise ValueError(f"no bulk writes for {name!r}")
        convert = _sqlite if name == "sqlite" else _copy_text

        def of(table: str) -> tuple[tuple[str, Convert | None], ...]:
            found = Base.metadata.tables[table].c
            return tuple((column, convert(found[column].type)) for column in COLUMNS[table])

        return cls(name, {table: of(table) for table in COLUMNS})

    def row(self, table: str, values: Mapping[str, Any]) -> Row:
        if self.dialect == "postgresql":
            return "\t".join([convert(values[column])  # type: ignore[misc]
                              for column, convert in self.converters[table]]) + "\n"
        return tuple([values[column] if convert is None else convert(values[column])
                      for column, convert in self.converters[table]])


class BulkWriter:
    """Inserts formatted rows into the session's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.format = RowFormat.for_dialect(self.dialect)

    @contextmanager
    def writing(self) -> Iterator[BulkWriter]:
        """While rows are written: on SQLite, a page cache big enough for the indexes."""
        if self.dialect != "sqlite":
            yield self
            return
        connection = self.session.connection()
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        try:
            yield self
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")

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

    def insert(self, table: str, rows: Sequence[Row]) -> None:
        """Insert ``rows`` (formatted by ``self.format`` for ``table``).

        Raises:
            ImportCollided: a row another writer has just written (the same case, seq or
                event id): nothing of this transaction may be committed.
        """
        if not rows:
            return
        names = ", ".join(f'"{column}"' for column in COLUMNS[table])
        try:
            if self.dialect == "postgresql":
                self._copy(f"COPY {table} ({names}) FROM STDIN", "".join(rows))  # type: ignore[arg-type]
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

    def _copy(self, statement: str, data: str) -> None:
        import psycopg  # only PostgreSQL needs it

        driver = self.session.connection().connection.driver_connection
        assert driver is not None
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(data)
        except psycopg.Error as exc:  # raised as SQLAlchemy would have, for the same handling
            raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
