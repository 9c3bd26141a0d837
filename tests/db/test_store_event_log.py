"""The append-only case log, on SQLite and on a real PostgreSQL (``db_engine`` runs both)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from store_helpers import (
    DECIDED,
    EP_ADVICE,
    REQUEST,
    append,
    audit_entries,
    deadlines,
    load,
    open_case,
    table_counts,
)

import db.event_store
from calendars import load_calendar
from db import directory
from db.errors import CaseChanged, ConflictingEventId, EventRefused, NotFound
from db.session import unit_of_work
from engine.deadlines import project_deadlines
from engine.events import parse_events

D = dt.date.fromisoformat


@pytest.fixture
def case(staffed):
    open_case(staffed, "C1")
    return staffed


def test_appended_events_load_back_in_order_with_who_and_when(case):
    before = dt.datetime.now(dt.UTC)
    first = append(case, "C1", [REQUEST], expected_seq=0, by="alice")
    second = append(case, "C1", [DECIDED, EP_ADVICE], expected_seq=1, by="bob")

    history = load(case)
    assert [r.seq for r in history.records] == [1, 2, 3]
    assert [r.event.type for r in history.records] == [
        "request_received", "decision_to_assess_notified", "advice_requested"]
    assert [r.recorded_by for r in history.records] == ["alice", "bob", "bob"]
    assert all(r.recorded_at >= before and r.recorded_at.tzinfo is not None
               for r in history.records)
    assert history.seq == 3 == second.seq
    assert first.recorded[0].seq == 1
    assert (history.la_code, history.process, history.caseworker) == ("E10000028",
                                                                       "assessment", "alice")


def test_append_writes_exactly_the_engines_deadlines_for_the_new_history(case):
    append(case, "C1", [REQUEST, DECIDED, EP_ADVICE])

    expected = project_deadlines(parse_events([REQUEST, DECIDED, EP_ADVICE]),
                                 load_calendar("E10000028"))
    rows = deadlines(case)
    assert set(rows) == {(d.key, d.instance) for d in expected}
    decision = rows[("decision_to_assess_due", "2025-01-06")]
    assert (decision.due, decision.met_on) == (D("2025-02-17"), D("2025-02-10"))
    assert rows[("final_plan_due", "2025-01-06")].due == D("2025-05-26")


def test_event_the_engine_refuses_is_reported_with_its_reason_and_nothing_is_written(case):
    append(case, "C1", [REQUEST])
    before = table_counts(case)

    with pytest.raises(EventRefused) as refused:
        append(case, "C1", [DECIDED, {"type": "final_plan_issued", "date": "2024-12-01"}])

    assert refused.value.index == 1
    assert "dated before request_received" in str(refused.value)
    assert table_counts(case) == before
    assert load(case).seq == 1


def test_malformed_event_is_refused_field_by_field_and_nothing_is_written(case):
    before = table_counts(case)
    with pytest.raises(EventRefused) as refused:
        append(case, "C1", [REQUEST, {"type": "decision_to_assess_notified",
                                      "date": "2025-02-31", "outcome": "maybe"}])
    assert refused.value.index == 1
    assert "date" in refused.value.reason
    assert "outcome" in refused.value.reason
    assert table_counts(case) == before


def test_unknown_case_is_refused_by_name(staffed):
    with pytest.raises(NotFound, match="unknown case 'NOPE'"):
        append(staffed, "NOPE", [REQUEST])


def test_same_client_event_id_twice_is_recorded_once(case):
    first = append(case, "C1", [{**REQUEST, "id": "req-1"}], expected_seq=0)
    counts = table_counts(case)

    again = append(case, "C1", [{**REQUEST, "id": "req-1"}], expected_seq=0)

    assert again.recorded == ()
    assert [r.seq for r in again.repeats] == [1]
    assert again.repeats[0].event == first.recorded[0].event
    assert table_counts(case) == counts
    assert load(case).seq == 1


def test_same_client_event_id_for_a_different_event_is_refused(case):
    append(case, "C1", [{**REQUEST, "id": "req-1"}])
    with pytest.raises(ConflictingEventId, match="'req-1' was already recorded"):
        append(case, "C1", [{**DECIDED, "id": "req-1"}])


def test_stale_expected_seq_is_told_the_case_changed(case):
    append(case, "C1", [REQUEST], expected_seq=0)
    with pytest.raises(CaseChanged, match="reload") as changed:
        append(case, "C1", [DECIDED], expected_seq=0)
    assert (changed.value.expected_seq, changed.value.actual_seq) == (0, 1)
    assert load(case).seq == 1


def test_correction_and_withdrawal_are_new_events_and_the_log_keeps_the_original(case):
    append(case, "C1", [REQUEST, {**DECIDED, "id": "dec"}])
    assert deadlines(case)[("decision_to_assess_due", "2025-01-06")].met_on == D("2025-02-10")

    append(case, "C1", [{"type": "decision_to_assess_notified", "date": "2025-02-12",
                         "outcome": "assess", "supersedes": "dec", "id": "dec2"}])
    assert deadlines(case)[("decision_to_assess_due", "2025-01-06")].met_on == D("2025-02-12")

    append(case, "C1", [{"type": "event_withdrawn", "date": "2025-02-13", "withdraws": "dec2",
                         "reason": "keyed on the wrong case"}])
    # Withdrawing the correction brings back what it replaced.
    assert deadlines(case)[("decision_to_assess_due", "2025-01-06")].met_on == D("2025-02-10")
    assert [r.event.type for r in load(case).records] == [
        "request_received", "decision_to_assess_notified", "decision_to_assess_notified",
        "event_withdrawn"]


def test_event_rows_cannot_be_updated_or_deleted_even_with_raw_sql(case):
    append(case, "C1", [REQUEST])
    for statement in ("UPDATE case_events SET event_date = '2025-01-01'",
                      "DELETE FROM case_events", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), \
                unit_of_work(case, write=True) as session:
            session.execute(text(statement))
    assert load(case).records[0].event.date == D("2025-01-06")


def test_schema_refuses_a_second_event_at_the_same_seq(case):
    append(case, "C1", [REQUEST])
    with pytest.raises(IntegrityError), unit_of_work(case, write=True) as session:
        session.execute(text(
            "INSERT INTO case_events (case_id, seq, type, event_date, payload, schema_version, "
            "natural_key, recorded_at, recorded_by) SELECT case_id, seq, type, event_date, "
            "payload, schema_version, 'other', recorded_at, recorded_by FROM case_events"
        ))


def test_failure_after_the_insert_leaves_neither_events_nor_deadlines(case, monkeypatch):
    def broken_projection(*args, **kwargs):
        raise RuntimeError("disk full while writing deadlines")

    monkeypatch.setattr(db.event_store, "rewrite_deadlines", broken_projection)
    with pytest.raises(RuntimeError, match="disk full"):
        append(case, "C1", [REQUEST])
    monkeypatch.undo()

    assert table_counts(case) == (0, 0, len(audit_entries(case)))
    assert load(case).seq == 0
    append(case, "C1", [REQUEST])  # and the case is still usable
    assert load(case).seq == 1


def test_each_append_is_audited_with_who_and_what(case):
    append(case, "C1", [REQUEST, DECIDED], by="bob")
    [entry] = audit_entries(case, "events_recorded")
    assert entry.actor == "bob"
    assert entry.detail == {"seq_from": 1, "seq_to": 2,
                            "types": ["request_received", "decision_to_assess_notified"]}
    assert entry.at.tzinfo is not None


def test_instants_come_back_aware_utc_on_both_backends(staffed):
    opened = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    open_case(staffed, "C2", opened_at=opened)
    received = {"type": "request_received", "date": "2025-06-01",
                "received_at": "2025-06-01T23:30:00+00:00"}
    append(staffed, "C2", [received])

    with unit_of_work(staffed) as session:
        case = directory.get_case(session, "C2")
    assert case.opened_at == opened
    assert case.opened_at.utcoffset() == dt.timedelta(0)
    event = load(staffed, "C2").records[0].event
    # received_at is 00:30 BST on 2 June: the London date wins (T9), and survives storage.
    assert event.date == D("2025-06-02")
    assert event.received_at == dt.datetime(2025, 6, 1, 23, 30, tzinfo=dt.UTC)


def test_naive_instant_is_refused_by_the_store(staffed):
    with pytest.raises(StatementError, match="naive datetime"):
        open_case(staffed, "C3", opened_at=dt.datetime(2025, 6, 1, 9, 30))  # noqa: DTZ001
    with pytest.raises(NotFound):
        load(staffed, "C3")


def test_contacts_for_a_case_run_from_caseworker_to_head_of_service(case):
    with unit_of_work(case) as session:
        contacts = directory.contacts_for_case(session, "C1")
    assert [(c.role, c.email) for c in contacts] == [
        ("caseworker", "alice@staffs.example"),
        ("team_manager", "mo@staffs.example"),
        ("head_of_service", "head@staffs.example"),
    ]
