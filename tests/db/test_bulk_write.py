"""The bulk writer's row formats: on SQLite exactly what SQLAlchemy's own bind processors
bind (so a bulk-written row reads back, and compares in SQL, as an ORM-written one does);
on both backends, rows that read back through the ORM as the values given (on PostgreSQL
through COPY text, escapes and all)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects.sqlite import pysqlite
from store_helpers import open_case

from db.base import Base
from db.bulk_write import COLUMNS, BulkWriter, RowFormat
from db.schema import DeadlineRow
from db.session import unit_of_work

AWARE = dt.datetime(2026, 3, 29, 1, 30, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=1)))
DEADLINE = {
    "case_id": 1, "key": "final_plan_due", "instance": 'a\tb\\c\nd\r"é"', "rule": "R03",
    "kind": "limit", "statutory": True, "actor": "la", "nominal": dt.date(2026, 3, 30),
    "due": None, "met_on": dt.date(2026, 1, 2), "met_by": None, "exception": None,
    "premature_on": None, "trigger": "request_received", "trigger_date": dt.date(2025, 11, 1),
    "citation": "reg 13(2)", "explanation": "line one\nline two\ttabbed \\ back",
    "plain_explanation": "", "exception_recorded_on": None, "escalates": False,
    "exceptions_available": ["reg13_3_a"], "warnings": ["ünïcode \\ \n"],
    "projected_at": AWARE,
}


def test_sqlite_rows_are_what_sqlalchemy_binds():
    dialect = pysqlite.SQLiteDialect_pysqlite()
    table = Base.metadata.tables["deadlines"]
    expected = tuple(
        processor(DEADLINE[name]) if (processor := table.c[name].type.dialect_impl(dialect)
                                      .bind_processor(dialect)) else DEADLINE[name]
        for name in COLUMNS["deadlines"])

    assert RowFormat.for_dialect("sqlite").row("deadlines", DEADLINE) == expected


def test_a_naive_instant_is_refused_as_the_orm_refuses_it():
    naive = {**DEADLINE, "projected_at": dt.datetime(2026, 1, 1)}
    for dialect in ("sqlite", "postgresql"):
        with pytest.raises(ValueError, match="naive"):
            RowFormat.for_dialect(dialect).row("deadlines", naive)


def test_written_rows_read_back_as_the_values_given(staffed):
    open_case(staffed, "C1")
    with unit_of_work(staffed, write=True) as session:
        writer = BulkWriter(session)
        case_id = session.scalar(text("SELECT id FROM cases"))
        writer.insert("deadlines", [writer.format.row("deadlines", {**DEADLINE,
                                                                    "case_id": case_id})])
    with unit_of_work(staffed) as session:
        [row] = session.scalars(select(DeadlineRow))
    stored = {name: getattr(row, name) for name in COLUMNS["deadlines"]}
    assert stored == {**DEADLINE, "case_id": case_id,
                      "projected_at": AWARE.astimezone(dt.UTC)}
