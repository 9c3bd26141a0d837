"""Revision 0007_person_record adds the protected person records table, and takes it away
again on downgrade; both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from db.migrate import current_revision
from tests.notifications.test_outbox_migration import empty_engine, migrate  # noqa: F401


def test_person_records_table_comes_and_goes(empty_engine):  # noqa: F811
    migrate(empty_engine, "0006_plain_explanations")
    assert "person_records" not in inspect(empty_engine).get_table_names()
    migrate(empty_engine, "0007_person_record")
    assert current_revision(empty_engine) == "0007_person_record"
    found = inspect(empty_engine)
    assert {c["name"] for c in found.get_columns("person_records")} == {
        "id", "case_id", "record", "updated_at", "updated_by"}
    assert {u["name"] for u in found.get_unique_constraints("person_records")} == {
        "uq_person_records_case_id"}
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:  # no such case
        connection.execute(text(
            "INSERT INTO person_records (case_id, record, updated_at, updated_by) "
            "VALUES (42, '{}', '2026-12-03 10:00:00+00', 'x')"))
    migrate(empty_engine, "0006_plain_explanations", down=True)
    assert "person_records" not in inspect(empty_engine).get_table_names()
