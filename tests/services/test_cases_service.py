"""The caseworker's use cases through their public signatures, on SQLite and PostgreSQL:
record, view, list and search, reassign, close, a leaver's caseload, the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.schema import AuditEntry
from db.session import unit_of_work
from engine.status import Status
from services import cases, staff
from services.errors import Conflict, InvalidInput, NotFound, Refused
from services.outbox import outbox_status
from services.timeliness import figures
from services.worklist import worklist

D = dt.date.fromisoformat
STAFFS, HARTLEPOOL = "E10000028", "E06000001"
REQUEST = {"type": "request_received", "date": "2025-01-06"}
TODAY = dt.date(2026, 1, 5)  # the day the events are recorded on (as_of)
DECIDED = {"type": "decision_to_assess_notified", "date": "2025-02-10", "outcome": "assess"}


@pytest.fixture
def caseload(staffed):
    for ref, worker, team_events in (("A1", "alice", [REQUEST]),
                                     ("A2", "alice", [REQUEST, DECIDED]),
                                     ("B1", "bob", [])):
        cases.open_case(staffed, ref, process="assessment", caseworker=worker, la_code=STAFFS,
                        actor="tester")
        if team_events:
            cases.record_events(staffed, ref, team_events, recorded_by="alice", as_of=TODAY)
    cases.open_case(staffed, "H1", process="assessment", caseworker="dave",
                    la_code=HARTLEPOOL, actor="tester")
    cases.record_events(staffed, "H1", [REQUEST], recorded_by="dave", as_of=TODAY)
    return staffed


def test_a_batch_is_recorded_all_or_nothing_and_repeats_are_recognised(staffed):
    cases.open_case(staffed, "C1", process="assessment", caseworker="alice", la_code=STAFFS,
                    actor="tester")
    bad = {"type": "final_plan_issued", "date": "2024-12-01"}  # before the request
    with pytest.raises(Refused) as refused:
        cases.record_events(staffed, "C1", [REQUEST, bad], recorded_by="alice", as_of=TODAY)
    assert refused.value.index == 1
    assert cases.case_view(staffed, "C1", as_of=D("2025-01-07")).seq == 0  # nothing written
    first = cases.record_events(staffed, "C1", [{**REQUEST, "id": "r1"}], recorded_by="alice",
                                as_of=TODAY)
    again = cases.record_events(staffed, "C1", [{**REQUEST, "id": "r1"}], recorded_by="alice",
                                as_of=TODAY)
    assert [(e.seq, e.new) for e in first.events] == [(1, True)]
    assert [(e.seq, e.new) for e in again.events] == [(1, False)]
    with pytest.raises(Conflict, match="reload"):
        cases.record_events(staffed, "C1", [DECIDED], recorded_by="alice",
                            as_of=TODAY, expected_seq=0)
    with pytest.raises(InvalidInput, match="below zero"):
        cases.record_events(staffed, "C1", [DECIDED], recorded_by="alice",
                            as_of=TODAY, expected_seq=-1)


def test_the_case_view_has_timeline_judged_deadlines_stage_and_next_events(caseload):
    view = cases.case_view(caseload, "A2", as_of=D("2025-03-01"))
    assert (view.stage, view.seq, view.team) == ("assessing", 2, "North")
    assert [e.type for e in view.timeline] == ["request_received",
                                               "decision_to_assess_notified"]
    by_key = {j.deadline.key: j for j in view.deadlines}
    assert by_key["decision_to_assess_due"].status is Status.MET_ON_TIME
    assert by_key["final_plan_due"].deadline.due == D("2025-05-26")
    assert "advice_requested" in view.allowed_events
    assert "request_received" not in view.allowed_events  # not while an assessment runs


def test_another_authoritys_case_is_not_found_exactly_like_a_missing_one(caseload):
    with pytest.raises(NotFound) as other:
        cases.case_view(caseload, "H1", as_of=D("2025-03-01"), la_code=STAFFS)
    with pytest.raises(NotFound) as missing:
        cases.case_view(caseload, "ZZ9", as_of=D("2025-03-01"), la_code=STAFFS)
    assert str(other.value) == "unknown case 'H1'"
    assert str(missing.value) == "unknown case 'ZZ9'"
    with pytest.raises(NotFound):
        cases.record_events(caseload, "H1", [DECIDED], recorded_by="x",
                            as_of=TODAY, la_code=STAFFS)


def test_the_caseload_lists_soonest_deadline_first_and_filters_and_searches(caseload):
    page = cases.find_cases(caseload, as_of=D("2025-02-01"), la_code=STAFFS)
    assert [c.case.reference for c in page.cases] == ["A1", "A2", "B1"]  # B1 has no deadline
    assert page.cases[0].next_deadline.deadline.key == "decision_to_assess_due"
    assert page.total == 3
    assert [c.case.reference for c in cases.find_cases(
        caseload, as_of=D("2025-02-20"), la_code=STAFFS).cases][:2] == ["A1", "A2"]
    assert [c.case.reference for c in cases.find_cases(
        caseload, as_of=D("2025-02-20"), stage="assessing").cases] == ["A2"]
    assert [c.case.reference for c in cases.find_cases(
        caseload, as_of=D("2025-02-20"), search="1").cases] == ["A1", "H1", "B1"]
    assert [c.case.reference for c in cases.find_cases(
        caseload, as_of=D("2025-02-20"), team="North", limit=1, offset=1).cases] == ["A2"]
    assert cases.find_cases(caseload, as_of=D("2025-02-20"), caseworker="bob").total == 1
    assert [c.case.reference for c in cases.find_cases(
        caseload, as_of=D("2025-02-20"), due_by=D("2025-02-17")).cases] == ["A1", "H1"]


def test_reassign_moves_a_case_within_its_authority_only_and_is_audited(caseload):
    assert cases.reassign_case(caseload, "A1", "carol", actor="mo") == "carol"
    assert cases.case_view(caseload, "A1", as_of=D("2025-02-01")).caseworker == "carol"
    with pytest.raises(Refused, match="works for E06000001"):
        cases.reassign_case(caseload, "A1", "dave", actor="mo")
    with unit_of_work(caseload) as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "case_reassigned")).all()
    assert actions == ["case_reassigned"]


def test_closing_a_case_stops_its_clocks_and_refuses_later_events(caseload):
    cases.close_case(caseload, "A1", "request_withdrawn", on=D("2025-01-20"),
                     recorded_by="alice", as_of=TODAY)
    view = cases.case_view(caseload, "A1", as_of=D("2025-06-01"))
    assert view.stage == "closed"
    assert view.deadlines == ()  # the 6- and 20-week clocks stopped with the case
    assert view.allowed_events == ()
    with pytest.raises(Refused, match="closed on 2025-01-20"):
        cases.record_events(caseload, "A1", [DECIDED], recorded_by="alice", as_of=TODAY)
    with pytest.raises(InvalidInput, match="unknown reason"):
        cases.close_case(caseload, "A2", "bored", on=D("2025-01-20"), recorded_by="alice",
                         as_of=TODAY)
    overdue = worklist(caseload, as_of=D("2025-06-01"), la_code=STAFFS, overdue_only=True)
    assert "A1" not in {item.reference for item in overdue.items}


def test_a_leavers_caseload_moves_in_one_action_and_they_get_no_new_cases(caseload):
    left = staff.caseworker_leaves(caseload, "alice", "bob", actor="mo")
    assert left.moved == ("A1", "A2")
    assert cases.find_cases(caseload, as_of=D("2025-02-01"), caseworker="bob").total == 3
    with pytest.raises(InvalidInput, match="has left"):
        cases.open_case(caseload, "A3", process="assessment", caseworker="alice",
                        la_code=STAFFS, actor="mo")
    with pytest.raises(Refused, match="already left"):
        staff.caseworker_leaves(caseload, "alice", "bob", actor="mo")
    assert [line.left for line in staff.list_staff(caseload) if line.username == "alice"] == [
        True]


def test_worklist_and_timeliness_by_caseworker(caseload):
    due = worklist(caseload, as_of=D("2025-02-20"), caseworker="alice")
    assert [(i.reference, i.status) for i in due.items][:1] == [("A1", Status.BREACHED)]
    assert due.overdue == 1
    mine = figures(caseload, start=D("2025-01-01"), end=D("2025-12-31"), as_of=D("2025-12-31"),
                   caseworker="alice")
    assert (mine["decision_6_weeks"].completed, mine["decision_6_weeks"].on_time) == (1, 1)
    theirs = figures(caseload, start=D("2025-01-01"), end=D("2025-12-31"),
                     as_of=D("2025-12-31"), caseworker="dave")
    assert theirs["decision_6_weeks"].completed == 0
    with pytest.raises(InvalidInput, match="ends .* before it starts"):
        figures(caseload, start=D("2025-02-01"), end=D("2025-01-01"), as_of=D("2025-02-01"))


def test_outbox_status_refuses_an_unknown_status_with_the_choices(caseload):
    assert outbox_status(caseload, reference="A1") == []
    with pytest.raises(InvalidInput, match="expected one of pending"):
        outbox_status(caseload, status="lost")
