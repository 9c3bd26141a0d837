"""Exceptions (statutory-rules.md §5, A9, A10): recorded exceptions disapply exactly the
clocks they name; the engine only *reports* grounds the history makes available.

Closure windows are worked out by hand from §5.1 and A9 ("[closed_from - 7, reopens_on - 7]",
inclusive, closures of at least 28 days) using Staffordshire's published term dates
(calendars/data/E10000028.yaml): summer term 2025 ends Mon 21 Jul, the fixed INSET day
Mon 1 Sep 2025 reopens the schools to staff, so the summer closure is 22 Jul - 1 Sep 2025
and its window 15 Jul - 25 Aug 2025; in 2026 the term ends Mon 20 Jul and the INSET day is
Tue 1 Sep, so the closure is 21 Jul - 1 Sep 2026 and its window 14 Jul - 25 Aug 2026.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.errors import InvalidEvent, InvalidHistory
from engine.events import parse_events
from engine.status import Deadline, Status, days_late, status_on

D = dt.date.fromisoformat
ENGLAND = load_calendar()
STAFFORDSHIRE = load_calendar("E10000028")
SCHOOL = "URN124000"  # not listed in the LA file: the LA's default term dates apply

# Mon 2 Jun 2025: R01 Mon 14 Jul, R03 Mon 22 Sep, R06 Mon 20 Oct 2025.
REQUEST = {"type": "request_received", "date": "2025-06-02"}
ASSESS = {"type": "decision_to_assess_notified", "date": "2025-06-20", "outcome": "assess"}


def ev(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": day, **fields}


def exception(day: str, ground: str, *clocks: str, **fields: Any) -> dict[str, Any]:
    return ev("exception_recorded", day, ground=ground, applies_to=list(clocks), **fields)


def closure(school: str, closed_from: str, reopens_on: str) -> dict[str, Any]:
    return {"type": "school_closure", "school": school, "closed_from": closed_from,
            "reopens_on": reopens_on}


def project(*events: dict[str, Any], calendar: Any = ENGLAND) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(list(events)), calendar)


def only(deadlines: tuple[Deadline, ...], key: str, instance: str | None = None) -> Deadline:
    found = [d for d in deadlines if d.key == key and instance in (None, d.instance)]
    assert len(found) == 1, f"{key}: {[(d.instance, d.nominal) for d in found]}"
    return found[0]


AS_OFS = ("2025-06-02", "2025-07-14", "2025-07-15", "2025-10-20", "2025-10-21", "2030-01-01")


# --- Recorded exceptions disapply exactly the named clocks -------------------------------


def test_R06_reg13_3_exception_disapplies_final_plan_due_keeps_nominal_never_breached():
    ds = project(REQUEST, ASSESS,
                 exception("2025-07-01", "reg13_3_c_exceptional_personal_circumstances",
                           "final_plan"))
    plan = only(ds, "final_plan_due")
    assert (plan.due, plan.nominal) == (None, D("2025-10-20"))
    assert plan.exception == "reg13_3_c_exceptional_personal_circumstances"
    for day in AS_OFS:
        assert status_on(plan, D(day), ENGLAND) is Status.DISAPPLIED
        assert days_late(plan, D(day)) is None


def test_R06_reg13_3_exception_leaves_the_R01_and_R03_clocks_alone():
    """§5.1 scope per clock: 13(3) covers only the 20-week limit."""
    ds = project(REQUEST, exception("2025-06-10", "reg13_3_d_absent_4_weeks", "final_plan"))
    assert only(ds, "decision_to_assess_due").due == D("2025-07-14")
    assert only(ds, "decision_not_to_issue_due").due == D("2025-09-22")
    assert status_on(only(ds, "decision_to_assess_due"), D("2025-07-15"),
                     ENGLAND) is Status.BREACHED


def test_R06_A10_disapplied_final_plan_issued_late_is_still_disapplied_not_met_late():
    ds = project(REQUEST, ASSESS,
                 exception("2025-07-01", "reg13_3_c_exceptional_personal_circumstances",
                           "final_plan"),
                 ev("draft_plan_served", "2025-11-03"), ev("final_plan_issued", "2025-12-01"))
    plan = only(ds, "final_plan_due")
    assert plan.met_on == D("2025-12-01")
    assert status_on(plan, D("2025-12-02"), ENGLAND) is Status.DISAPPLIED
    assert days_late(plan, D("2025-12-02")) is None


def test_R03_R06_reg10_4_exception_naming_two_clocks_disapplies_both_not_R01():
    ds = project(REQUEST, exception("2025-06-10", "reg10_4_c_exceptional_personal_circumstances",
                                    "decision_not_to_issue", "final_plan"))
    assert only(ds, "decision_not_to_issue_due").due is None
    assert only(ds, "decision_not_to_issue_due").nominal == D("2025-09-22")
    assert only(ds, "final_plan_due").due is None
    assert only(ds, "decision_to_assess_due").due == D("2025-07-14")


def test_R01_reg5_4_exception_disapplies_only_the_6_week_decision():
    ds = project(REQUEST, exception("2025-06-10", "reg5_4_d_absent_4_weeks",
                                    "decision_to_assess"))
    r01 = only(ds, "decision_to_assess_due")
    assert (r01.due, r01.nominal) == (None, D("2025-07-14"))
    assert status_on(r01, D("2025-08-01"), ENGLAND) is Status.DISAPPLIED
    assert only(ds, "final_plan_due").due == D("2025-10-20")


def test_R02_reg8_2_exception_for_one_adviser_disapplies_only_that_advice_request():
    # Fri 1 Aug 2025 + 42 = Fri 12 Sep 2025.
    ds = project(REQUEST, ASSESS,
                 ev("advice_requested", "2025-08-01", advisor="educational_psychologist"),
                 ev("advice_requested", "2025-08-01", advisor="health_icb"),
                 exception("2025-08-25", "reg8_2_c_appointment_not_kept", "advice",
                           advisor="educational_psychologist"))
    advice = {d.instance: d for d in ds if d.key == "advice_due"}
    ep = next(d for i, d in advice.items() if i.startswith("educational_psychologist"))
    icb = next(d for i, d in advice.items() if i.startswith("health_icb"))
    assert (ep.due, ep.nominal) == (None, D("2025-09-12"))
    assert icb.due == D("2025-09-12")
    assert only(ds, "final_plan_due").due == D("2025-10-20")


def test_R02_reg8_2_exception_by_advice_id_disapplies_that_request_only():
    ds = project(REQUEST, ASSESS,
                 ev("advice_requested", "2025-08-01", advisor="educational_psychologist",
                    advice_id="ep-1"),
                 ev("advice_requested", "2025-08-04", advisor="educational_psychologist",
                    advice_id="ep-2"),
                 exception("2025-08-20", "reg8_2_a_exceptional_circumstances", "advice",
                           advice_id="ep-2"))
    assert only(ds, "advice_due", "ep-1").due == D("2025-09-12")
    assert only(ds, "advice_due", "ep-2").due is None
    assert only(ds, "advice_due", "ep-2").nominal == D("2025-09-15")


def test_R15_reg27_3_exception_disapplies_the_14_week_reassessment_plan():
    ds = project(ev("final_plan_issued", "2024-10-01"),
                 ev("reassessment_request_received", "2025-01-06"),
                 ev("reassessment_decision_notified", "2025-01-21", outcome="reassess"),
                 exception("2025-02-01", "reg27_3_a_school_closure", "reassessment_final_plan"))
    d = only(ds, "reassessment_final_plan_due")
    assert (d.due, d.nominal) == (None, D("2025-04-29"))


def test_A10_T10_disapplied_limit_explanation_keeps_nominal_date_and_as_soon_as_practicable():
    """A10: remove the limit, keep a nominal date for display, still 'as soon as practicable'."""
    ds = project(REQUEST, exception("2025-06-10", "reg13_3_c_exceptional_personal_circumstances",
                                    "final_plan"))
    text = only(ds, "final_plan_due").explanation
    assert "as soon as practicable" in text
    assert "20 Oct 2025" in text
    assert "reg13_3_c_exceptional_personal_circumstances" in text


def test_R06_covid_2020_exception_applies_to_a_clock_running_in_2020():
    """§5.3: SI 2020/471, 1 May - 25 Sep 2020. Wed 1 Apr 2020 + 140 = Wed 19 Aug 2020."""
    ds = project(ev("request_received", "2020-04-01"),
                 exception("2020-05-05", "covid_2020", "final_plan"))
    plan = only(ds, "final_plan_due")
    assert (plan.due, plan.nominal) == (None, D("2020-08-19"))


def test_R06_covid_2020_exception_recorded_after_it_expired_is_refused():
    with pytest.raises(InvalidHistory, match="applied only from 2020-05-01 to 2020-09-25"):
        project(REQUEST, exception("2025-06-10", "covid_2020", "final_plan"))


# --- Wrong ground for a clock: refused --------------------------------------------------


@pytest.mark.parametrize(
    ("ground", "clock"),
    [
        ("reg8_2_c_appointment_not_kept", "final_plan"),
        ("reg5_4_d_absent_4_weeks", "final_plan"),
        ("reg13_3_a_school_closure", "decision_to_assess"),
        ("reg13_3_c_exceptional_personal_circumstances", "decision_not_to_issue"),
        ("reg10_4_c_exceptional_personal_circumstances", "advice"),
        ("reg5_4_c_exceptional_personal_circumstances", "decision_not_to_issue"),
        ("reg13_3_b_early_years_closure", "reassessment_final_plan"),
        ("reg27_3_d_absent_4_weeks", "final_plan"),
    ],
)
def test_s5_exception_ground_that_cannot_disapply_the_named_clock_is_refused(ground, clock):
    with pytest.raises(InvalidHistory) as caught:
        project(REQUEST, exception("2025-06-10", ground, clock))
    assert caught.value.index == 1
    assert ground in caught.value.reason
    assert clock in caught.value.reason


def test_s5_exception_with_an_unknown_ground_or_no_clock_is_refused():
    with pytest.raises(InvalidEvent, match="ground"):
        project(REQUEST, exception("2025-06-10", "waiting_list", "final_plan"))
    with pytest.raises(InvalidEvent, match="applies_to"):
        project(REQUEST, exception("2025-06-10", "reg13_3_c_exceptional_personal_circumstances"))


# --- Availability: head teacher asked inside a >= 4-week closure window (reg 10(4)(a)) ---


def head_teacher(day: str, school: str = SCHOOL, advisor: str = "head_teacher"
                 ) -> dict[str, Any]:
    return ev("advice_requested", day, advisor=advisor, school=school)


@pytest.mark.parametrize(
    ("asked", "available"),
    [
        ("2025-07-14", False),  # the day before the window opens
        ("2025-07-15", True),  # closed_from 22 Jul - 7: the window's first day
        ("2025-08-01", True),
        ("2025-08-25", True),  # reopens_on 1 Sep - 7: the window's last day
        ("2025-08-26", False),
    ],
)
def test_R03_R06_reg13_3_a_available_for_advice_asked_in_staffordshire_summer_2025_window(
    asked, available
):
    ds = project(REQUEST, ASSESS, head_teacher(asked), calendar=STAFFORDSHIRE)
    plan = only(ds, "final_plan_due")
    assert ("reg13_3_a_school_closure" in plan.exceptions_available) is available
    notice = only(ds, "decision_not_to_issue_due")
    assert ("reg10_4_a_school_closure" in notice.exceptions_available) is available


@pytest.mark.parametrize(
    ("asked", "available"),
    [("2026-07-13", False), ("2026-07-14", True), ("2026-08-25", True), ("2026-08-26", False)],
)
def test_R06_reg13_3_a_available_in_staffordshire_summer_2026_window(asked, available):
    # Mon 1 Jun 2026 + 140 = Mon 19 Oct 2026.
    ds = project(ev("request_received", "2026-06-01"), head_teacher(asked),
                 calendar=STAFFORDSHIRE)
    plan = only(ds, "final_plan_due")
    assert plan.nominal == D("2026-10-19")
    assert ("reg13_3_a_school_closure" in plan.exceptions_available) is available


def test_R06_available_exception_is_not_applied_until_the_la_records_it():
    """§5.1 'Availability is not application': the limit stands until recorded."""
    ds = project(REQUEST, ASSESS, head_teacher("2025-08-01"), calendar=STAFFORDSHIRE)
    plan = only(ds, "final_plan_due")
    assert plan.exceptions_available
    assert plan.due == D("2025-10-20")
    assert plan.exception is None
    assert status_on(plan, D("2025-10-21"), STAFFORDSHIRE) is Status.BREACHED


def test_R01_closure_exception_not_available_for_the_6_weeks_already_past():
    ds = project(REQUEST, ASSESS, head_teacher("2025-07-20"), calendar=STAFFORDSHIRE)
    assert only(ds, "decision_to_assess_due").exceptions_available == ()


def test_R06_A9_closure_exception_only_for_advice_from_the_head_teacher_or_principal():
    ds = project(REQUEST, ASSESS, head_teacher("2025-08-01", advisor="educational_psychologist"),
                 calendar=STAFFORDSHIRE)
    assert only(ds, "final_plan_due").exceptions_available == ()


def test_R06_early_years_provider_closure_gives_the_reg13_3_b_ground():
    ds = project(REQUEST, ASSESS, head_teacher("2025-08-01", advisor="early_years_provider"),
                 calendar=STAFFORDSHIRE)
    assert "reg13_3_b_early_years_closure" in only(ds, "final_plan_due").exceptions_available


def test_R06_christmas_closure_is_too_short_for_the_exception():
    # Staffordshire: closed Sat 20 Dec 2025, reopens Mon 5 Jan 2026 (16 days < 28).
    ds = project(ev("request_received", "2025-12-01"), head_teacher("2025-12-15"),
                 calendar=STAFFORDSHIRE)
    assert only(ds, "final_plan_due").exceptions_available == ()


def test_R06_plain_england_calendar_has_no_closures_so_nothing_is_available():
    ds = project(REQUEST, ASSESS, head_teacher("2025-08-01"))
    assert only(ds, "final_plan_due").exceptions_available == ()


@pytest.mark.parametrize(
    ("asked", "available"),
    [
        # closed Thu 23 Jul 2026, reopens Thu 3 Sep 2026: window 16 Jul - 27 Aug 2026.
        ("2026-07-15", False), ("2026-07-16", True), ("2026-08-27", True), ("2026-08-28", False),
    ],
)
def test_R06_A9_school_closure_event_in_the_history_opens_the_window_edges_inclusive(
    asked, available
):
    ds = project(ev("request_received", "2026-06-01"), head_teacher(asked, school="URN1"),
                 closure("URN1", "2026-07-23", "2026-09-03"))
    assert ("reg13_3_a_school_closure" in only(ds, "final_plan_due").exceptions_available) is (
        available)


@pytest.mark.parametrize(
    ("reopens_on", "available"),
    [("2025-08-29", True), ("2025-08-28", False)],  # 28 days qualifies, 27 does not
)
def test_R06_reg13_3_a_closure_must_last_at_least_4_weeks(reopens_on, available):
    ds = project(REQUEST, ASSESS, head_teacher("2025-08-01", school="URN1"),
                 closure("URN1", "2025-08-01", reopens_on))
    assert ("reg13_3_a_school_closure" in only(ds, "final_plan_due").exceptions_available) is (
        available)


def test_R06_closure_of_another_school_does_not_make_the_exception_available():
    ds = project(REQUEST, ASSESS, head_teacher("2025-08-01", school="URN1"),
                 closure("URN2", "2025-07-22", "2025-09-01"))
    assert only(ds, "final_plan_due").exceptions_available == ()


# --- Availability: absence from the area of at least 4 weeks (reg 10(4)(d), 8(2)(b)) -----


def absence(start: str, end: str) -> dict[str, Any]:
    return ev("absence_from_area", start, **{"from": start, "to": end})


def test_R03_R06_absence_of_over_4_weeks_during_the_period_makes_the_d_ground_available():
    ds = project(REQUEST, ASSESS, absence("2025-08-01", "2025-09-15"))
    assert "reg13_3_d_absent_4_weeks" in only(ds, "final_plan_due").exceptions_available
    assert "reg10_4_d_absent_4_weeks" in only(
        ds, "decision_not_to_issue_due").exceptions_available
    assert only(ds, "decision_to_assess_due").exceptions_available == ()  # ended 14 Jul


def test_R06_absence_counts_the_first_and_last_days_away():
    # 1-28 Aug 2025 is 28 days away, both ends counted: exactly 4 weeks; 1-27 Aug is not.
    four_weeks = project(REQUEST, ASSESS, absence("2025-08-01", "2025-08-28"))
    assert "reg13_3_d_absent_4_weeks" in only(four_weeks, "final_plan_due").exceptions_available
    short = project(REQUEST, ASSESS, absence("2025-08-01", "2025-08-27"))
    assert only(short, "final_plan_due").exceptions_available == ()


def test_R06_absence_of_two_weeks_is_not_enough():
    ds = project(REQUEST, ASSESS, absence("2025-08-01", "2025-08-15"))
    assert only(ds, "final_plan_due").exceptions_available == ()


def test_R01_R06_absence_counts_only_the_weeks_inside_the_period():
    # 1 Jul - 10 Aug 2025: 13 days inside the 6 weeks (to 14 Jul), 40 inside the 20 weeks.
    ds = project(REQUEST, ASSESS, absence("2025-07-01", "2025-08-10"))
    assert only(ds, "decision_to_assess_due").exceptions_available == ()
    assert "reg13_3_d_absent_4_weeks" in only(ds, "final_plan_due").exceptions_available


def test_R02_absence_during_the_advice_6_weeks_makes_reg8_2_b_available():
    ds = project(REQUEST, ASSESS,
                 ev("advice_requested", "2025-08-01", advisor="educational_psychologist"),
                 absence("2025-08-01", "2025-09-15"))
    assert "reg8_2_b_absent_4_weeks" in only(ds, "advice_due").exceptions_available


# --- Availability: appointment not kept (reg 8(2)(c)) for that adviser only --------------


def test_R02_appointment_not_kept_makes_reg8_2_c_available_for_that_adviser_only():
    ds = project(REQUEST, ASSESS,
                 ev("advice_requested", "2025-08-01", advisor="educational_psychologist",
                    advice_id="ep"),
                 ev("advice_requested", "2025-08-01", advisor="health_icb", advice_id="icb"),
                 ev("appointment_not_kept", "2025-08-20", advisor="educational_psychologist"))
    assert only(ds, "advice_due", "ep").exceptions_available == ("reg8_2_c_appointment_not_kept",)
    assert only(ds, "advice_due", "icb").exceptions_available == ()
    assert "reg8_2_c_appointment_not_kept" not in only(
        ds, "final_plan_due").exceptions_available


def test_R02_appointment_missed_after_the_6_weeks_gives_no_ground():
    ds = project(REQUEST, ASSESS,
                 ev("advice_requested", "2025-08-01", advisor="educational_psychologist"),
                 ev("appointment_not_kept", "2025-09-20", advisor="educational_psychologist"))
    assert only(ds, "advice_due").exceptions_available == ()
