"""The deadline projection: rebuilt from the log, re-projected (and audited) when an LA's
calendar changes, and queried for the caseworker's worklist. Both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select
from store_helpers import (
    DECIDED,
    EP_ADVICE,
    HARTLEPOOL,
    REQUEST,
    append,
    audit_entries,
    deadlines,
    open_case,
    table_counts,
)

from db.errors import CalendarRejected, NotFound
from db.projections import load_calendar_data, rebuild_all
from db.schema import DeadlineRow, LocalAuthority
from db.session import unit_of_work
from engine.status import Status
from services.errors import NotFound as ServiceNotFound
from services.worklist import worklist

D = dt.date.fromisoformat

HARTLEPOOL_CALENDAR = """
la_code: E06000001
la_name: Hartlepool Borough Council
sources:
  - id: test
    url: https://example.org/hartlepool/term-dates
    retrieved: 2026-11-01
bank_holidays:
  add:
    - date: 2025-06-03
      name: A proclaimed bank holiday
"""
POSTED_DRAFT = [
    {"type": "request_received", "date": "2025-03-03"},
    {"type": "decision_to_assess_notified", "date": "2025-04-10", "outcome": "assess"},
    {"type": "draft_plan_posted", "date": "2025-06-02", "method": "first_class_post"},
]


def _snapshot(engine, reference="C1"):
    return {key: (row.nominal, row.due, row.met_on, row.explanation)
            for key, row in deadlines(engine, reference).items()}


def test_rebuild_restores_a_lost_projection_exactly(staffed):
    open_case(staffed, "C1")
    append(staffed, "C1", [REQUEST, DECIDED, EP_ADVICE])
    before = _snapshot(staffed)
    with unit_of_work(staffed, write=True) as session:
        session.execute(delete(DeadlineRow))

    with unit_of_work(staffed, write=True) as session:
        report = rebuild_all(session, actor="admin")

    assert report.cases == 1
    assert report.failed == {}
    assert _snapshot(staffed) == before


def test_rebuild_of_an_intact_projection_changes_no_row(staffed):
    open_case(staffed, "C1")
    append(staffed, "C1", [REQUEST, DECIDED])
    ids = {key: row.id for key, row in deadlines(staffed).items()}
    with unit_of_work(staffed, write=True) as session:
        report = rebuild_all(session)
    assert report.changed == {}
    assert {key: row.id for key, row in deadlines(staffed).items()} == ids


def test_calendar_change_reprojects_that_las_cases_and_audits_each_moved_deadline(staffed):
    open_case(staffed, "H1", caseworker="dave", la=HARTLEPOOL)
    open_case(staffed, "S1")  # Staffordshire: must not be touched
    append(staffed, "H1", POSTED_DRAFT)
    append(staffed, "S1", POSTED_DRAFT)
    staffs_before = _snapshot(staffed, "S1")
    served = ("draft_deemed_served", "2025-06-02")
    assert deadlines(staffed, "H1")[served].due == D("2025-06-04")

    with unit_of_work(staffed, write=True) as session:
        result = load_calendar_data(session, HARTLEPOOL_CALENDAR, actor="admin",
                                    source="hartlepool.yaml")

    assert (result.la_code, result.version, result.unchanged) == (HARTLEPOOL, "1", False)
    after = deadlines(staffed, "H1")
    assert after[served].due == D("2025-06-05")  # 2nd working day, skipping the new holiday
    assert after[("draft_representations_end", "2025-06-02")].due == D("2025-06-19")
    assert _snapshot(staffed, "S1") == staffs_before
    moved = {(e.detail["key"], e.detail["old_due"], e.detail["new_due"])
             for e in audit_entries(staffed, "deadline_changed")}
    assert moved == {("draft_deemed_served", "2025-06-04", "2025-06-05"),
                     ("draft_representations_end", "2025-06-18", "2025-06-19")}
    assert all(e.actor == "admin" for e in audit_entries(staffed, "deadline_changed"))
    [loaded] = audit_entries(staffed, "calendar_loaded")
    assert (loaded.detail["new_version"], loaded.detail["cases"]) == ("1", 1)


def test_loading_the_same_calendar_again_changes_and_audits_nothing(staffed):
    with unit_of_work(staffed, write=True) as session:
        load_calendar_data(session, HARTLEPOOL_CALENDAR, actor="admin")
    counts = table_counts(staffed)
    with unit_of_work(staffed, write=True) as session:
        again = load_calendar_data(session, HARTLEPOOL_CALENDAR, actor="admin")
    assert again.unchanged
    assert table_counts(staffed) == counts


def test_invalid_calendar_data_is_refused_with_the_field_and_nothing_is_stored(staffed):
    broken = HARTLEPOOL_CALENDAR.replace("2025-06-03", "2025-06-07")  # a Saturday
    with pytest.raises(CalendarRejected, match="weekend"), \
            unit_of_work(staffed, write=True) as session:
        load_calendar_data(session, broken, actor="admin")
    with unit_of_work(staffed) as session:
        stored = session.scalar(select(func.count()).select_from(LocalAuthority).where(
            LocalAuthority.calendar_data.is_not(None)))
    assert stored == 0


def test_calendar_for_a_local_authority_the_store_does_not_have_is_refused(staffed):
    other = HARTLEPOOL_CALENDAR.replace("E06000001", "E06000002")
    with pytest.raises(NotFound, match="E06000002"), \
            unit_of_work(staffed, write=True) as session:
        load_calendar_data(session, other, actor="admin")


# --- the worklist ------------------------------------------------------------------------


@pytest.fixture
def caseload(staffed):
    open_case(staffed, "A1", caseworker="alice")
    append(staffed, "A1", [REQUEST])  # decision due 17 Feb, final plan 26 May
    open_case(staffed, "A2", caseworker="alice")
    append(staffed, "A2", [REQUEST, DECIDED, EP_ADVICE])  # advice due 25 Mar
    open_case(staffed, "C1", caseworker="carol")
    append(staffed, "C1", [{"type": "request_received", "date": "2025-02-03"}])  # due 17 Mar
    return staffed


def _items(engine, **kwargs):
    return [(i.reference, i.deadline.key, i.deadline.due, i.status, i.days_late)
            for i in worklist(engine, **kwargs).items]


def test_worklist_puts_overdue_first_with_days_late_then_due_soon(caseload):
    items = _items(caseload, as_of=D("2025-03-20"), within_working_days=10)
    assert items == [
        ("A1", "decision_to_assess_due", D("2025-02-17"), Status.BREACHED, 31),
        ("C1", "decision_to_assess_due", D("2025-03-17"), Status.BREACHED, 3),
        ("A2", "advice_due", D("2025-03-25"), Status.DUE_SOON, None),
    ]


def test_worklist_window_includes_its_last_day_only(caseload):
    # "Due soon" is counted in working days: Tue 11 Mar + 10 working days is Tue 25 Mar.
    assert [i[0] for i in _items(caseload, as_of=D("2025-03-11"), within_working_days=10)] == [
        "A1", "C1", "A2"]
    assert [i[0] for i in _items(caseload, as_of=D("2025-03-10"), within_working_days=10)] == [
        "A1", "C1"]


def test_worklist_overdue_only_and_filters_by_caseworker_and_team(caseload):
    assert [i[0] for i in _items(caseload, as_of=D("2025-03-20"), overdue_only=True)] == [
        "A1", "C1"]
    assert {i[0] for i in _items(caseload, as_of=D("2025-03-20"), caseworker="alice")} == {
        "A1", "A2"}
    assert [i[0] for i in _items(caseload, as_of=D("2025-03-20"), team="South")] == ["C1"]
    with pytest.raises(ServiceNotFound, match="unknown caseworker 'zoe'"):
        _items(caseload, as_of=D("2025-03-20"), caseworker="zoe")


def test_worklist_as_of_a_past_day_shows_what_was_open_then(caseload):
    # A2's decision was met on 10 Feb; judged on 9 Feb it was still open and due soon.
    items = _items(caseload, as_of=D("2025-02-09"), within_working_days=10)
    assert ("A2", "decision_to_assess_due", D("2025-02-17"), Status.DUE_SOON, None) in items
    # C1's request (3 Feb) had not arrived by 1 Feb: nothing of C1's is listed.
    early = _items(caseload, as_of=D("2025-02-01"), within_working_days=60)
    assert all(i[0] != "C1" for i in early)


def test_worklist_lists_one_duty_on_one_date_once(staffed):
    # Amendment notice served on time (A = 20 Sep 2025): the combined R12c date equals the
    # reg 22 date (15 Nov); the Devon backstop (24 Nov) is a later, separate line.
    open_case(staffed, "R1", caseworker="alice", process="review")
    append(staffed, "R1", [
        {"type": "final_plan_issued", "date": "2025-01-10"},
        {"type": "review_meeting_held", "date": "2025-09-01"},
        {"type": "review_decision_notified", "date": "2025-09-20", "outcome": "amend"},
        {"type": "amendment_notice_served", "date": "2025-09-20"},
    ])
    items = _items(staffed, as_of=D("2025-12-01"), overdue_only=True)
    r12c = [(key, due) for _, key, due, _, _ in items if key.startswith("amended_plan")]
    assert r12c == [("amended_plan_final_due", D("2025-11-15")),
                    ("amended_plan_devon_backstop", D("2025-11-24"))]
