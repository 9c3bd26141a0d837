"""The edges issue 8 closes: exceptions recorded at the wrong time (§5, A10), reg 18's
fixed-date transfers (R13, A6), health mediation (R23), an appealable mediation agreement
(R25) and mediation issues naming several kinds.

Dates are worked out by hand from statutory-rules.md (T1, T6, §7.1); none is copied from
program output.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.events import parse_event, parse_events
from engine.status import Deadline, Status, status_on

D = dt.date.fromisoformat
ENGLAND = load_calendar()
STAFFORDSHIRE = load_calendar("E10000028")


def ev(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": day, **fields}


def transfer(from_: str, to: str, day: str) -> dict[str, Any]:
    return {"type": "phase_transfer_expected", "from": from_, "to": to, "transfer_date": day}


def project(*events: dict[str, Any], calendar: Any = ENGLAND) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(list(events)), calendar)


def warnings(*events: dict[str, Any], calendar: Any = ENGLAND) -> list[str]:
    from engine.deadlines import project_case  # new in issue 8

    return [w.message for w in project_case(parse_events(list(events)), calendar).warnings]


def only(deadlines: tuple[Deadline, ...], key: str) -> Deadline:
    found = [d for d in deadlines if d.key == key]
    assert len(found) == 1, f"{key}: {[(d.instance, d.nominal) for d in found]}"
    return found[0]


REQUEST = ev("request_received", "2025-01-06")  # final plan due Mon 26 May 2025 (T1)


def reason(day: str, ground: str = "reg13_3_c_exceptional_personal_circumstances",
           clock: str = "final_plan") -> dict[str, Any]:
    return ev("exception_recorded", day, ground=ground, applies_to=[clock])


# --- exceptions recorded at the wrong time -------------------------------------------------


def test_R06_an_exception_recorded_before_the_request_is_not_applied_and_says_why():
    events = (reason("2024-12-20"), REQUEST)
    final = only(project(*events), "final_plan_due")
    assert final.due == D("2025-05-26")  # not disapplied
    assert any("disapplies nothing" in w and "before the final_plan clock" in w
               for w in final.warnings)
    assert any("disapplies nothing" in w for w in warnings(*events))


def test_R06_an_exception_recorded_after_the_limit_still_disapplies_it_with_a_warning():
    final = only(project(REQUEST, reason("2025-07-01"), ev("final_plan_issued", "2025-07-20")),
                 "final_plan_due")
    assert final.due is None
    assert final.nominal == D("2025-05-26")
    assert final.exception_recorded_on == D("2025-07-01")
    assert any("recorded late" in w for w in final.warnings)


def test_R06_exceptions_recorded_late_are_counted_in_the_timeliness_figures():
    from engine.timeliness import timeliness

    late = project(REQUEST, reason("2025-07-01"), ev("final_plan_issued", "2025-07-20"))
    in_time = project(ev("request_received", "2025-01-13"), reason("2025-03-01"),
                      ev("final_plan_issued", "2025-07-21"))
    figure = timeliness([*late, *in_time], D("2025-01-01"), D("2025-12-31"),
                        D("2026-01-01"))["plan_20_weeks"]
    assert (figure.completed, figure.with_exception) == (2, 2)
    assert figure.exceptions_recorded_late == 1


def test_R06_an_exception_recorded_after_the_plan_was_issued_is_not_applied():
    events = (REQUEST, ev("final_plan_issued", "2025-05-20"), reason("2025-06-01"))
    final = only(project(*events), "final_plan_due")
    assert final.due == D("2025-05-26")
    assert any("after the final_plan limit was met" in w for w in warnings(*events))


def test_R06_a_closure_ground_the_calendar_does_not_show_is_honoured_but_warned():
    # No advice was asked of any school, so no closure window can make reg 13(3)(a) available.
    final = only(project(REQUEST, reason("2025-03-01", "reg13_3_a_school_closure"),
                         calendar=STAFFORDSHIRE), "final_plan_due")
    assert final.due is None
    assert any("no closure of 4 weeks or more" in w for w in final.warnings)


def test_R06_a_closure_ground_the_calendar_shows_raises_no_warning():
    # Advice asked of the head teacher Tue 15 Jul 2025, the first day of the summer window
    # (Staffordshire closes Tue 22 Jul 2025: 22 - 7 = 15 Jul).
    final = only(project(ev("request_received", "2025-06-02"),
                         ev("advice_requested", "2025-07-15", advisor="head_teacher"),
                         reason("2025-07-25", "reg13_3_a_school_closure"),
                         calendar=STAFFORDSHIRE), "final_plan_due")
    assert final.due is None
    assert final.warnings == ()


# --- R13: one reading of reg 18's fixed dates ----------------------------------------------


@pytest.mark.parametrize(
    ("from_", "to", "day"),
    [
        ("primary", "secondary", "2027-02-15"),  # on the named date itself
        ("secondary", "post16_institution", "2027-03-31"),
        ("primary", "secondary", "2027-04-19"),  # after Easter: the middle of a school year
        ("early_years", "school", "2027-01-05"),  # a January reception start
    ],
)
def test_R13_a_transfer_not_at_the_start_of_a_school_year_gets_neither_fixed_date(from_, to, day):
    events = (ev("final_plan_issued", "2026-01-20"), transfer(from_, to, day))
    ds = project(*events)
    assert not [d for d in ds if d.key in ("phase_transfer_last_day",
                                           "phase_transfer_named_date")]
    assert any("not at the start of a school year" in w for w in warnings(*events))


@pytest.mark.parametrize("day", ["2027-08-31", "2027-09-01", "2027-09-06"])
def test_R13_a_transfer_at_the_start_of_the_school_year_gets_both_keys(day):
    ds = project(transfer("primary", "secondary", day))
    assert only(ds, "phase_transfer_last_day").due == D("2027-02-14")
    assert only(ds, "phase_transfer_named_date").nominal == D("2027-02-15")


def test_R13_a_post16_to_post16_transfer_at_any_time_keeps_its_five_months():
    d = only(project(transfer("post16_institution", "post16_institution", "2027-04-19")),
             "post16_transfer_amend_by")
    assert d.due == D("2026-11-19")


# --- R23: health issues go to the ICB, whose 30 days run from being told ---------------------


def test_R23_health_only_mediation_runs_30_days_from_when_the_la_tells_the_icb():
    # Requested Mon 2 Jun 2025; the LA has 3 working days (Thu 5 Jun) to tell the ICB; it
    # told it Wed 4 Jun, so mediation must take place by Fri 4 Jul 2025 (4 Jun + 30).
    ds = project(ev("decision_letter_sent", "2025-04-11", decision="final_plan_contents"),
                 ev("mediation_requested", "2025-06-02", issues=["health"]),
                 ev("mediation_icb_told", "2025-06-04"))
    told = only(ds, "mediation_icb_told_due")
    assert (told.due, told.met_on) == (D("2025-06-05"), D("2025-06-04"))
    must = only(ds, "mediation_must_take_place_by")
    assert (must.due, must.actor) == (D("2025-07-04"), "commissioning_body")


def test_R23_health_only_mediation_not_yet_told_counts_from_the_last_day_to_tell():
    ds = project(ev("decision_letter_sent", "2025-04-11", decision="final_plan_contents"),
                 ev("mediation_requested", "2025-06-02", health=True))
    # Thu 5 Jun 2025 + 30 = Sat 5 Jul 2025.
    assert only(ds, "mediation_must_take_place_by").due == D("2025-07-05")
    assert status_on(only(ds, "mediation_icb_told_due"), D("2025-06-06"),
                     ENGLAND) is Status.BREACHED


def test_R23_mediation_about_education_and_health_is_the_las_30_days_and_tells_the_icb():
    ds = project(ev("decision_letter_sent", "2025-04-11", decision="final_plan_contents"),
                 ev("mediation_requested", "2025-06-02", issues=["education", "health"]))
    must = only(ds, "mediation_must_take_place_by")
    assert (must.due, must.actor) == (D("2025-07-02"), "la")  # Mon 2 Jun + 30
    assert only(ds, "mediation_icb_told_due").due == D("2025-06-05")


def test_R23_mediation_issues_may_name_several_kinds_or_be_free_text():
    event = parse_event(ev("mediation_requested", "2025-06-02",
                           issues=["education", "health", "social_care"]))
    assert event.issue_kinds == {"education", "health", "social_care"}  # type: ignore[union-attr]
    old = parse_event(ev("mediation_requested", "2025-06-02", issues="refusal to assess"))
    assert old.issues == ("refusal to assess",)  # type: ignore[union-attr]
    assert old.issue_kinds == frozenset()  # type: ignore[union-attr]


# --- R25: an appealable matter agreed in mediation runs on the reg 44 periods -------------


def test_R25_an_appealable_agreement_to_assess_runs_on_the_tribunal_periods():
    # Agreement Mon 7 Jul 2025: notify + 2 weeks = Mon 21 Jul; not-necessary decision
    # + 10 weeks = Mon 15 Sep; final plan + 14 weeks = Mon 13 Oct 2025 (reg 42(3), 44(2)).
    ds = project(ev("decision_letter_sent", "2025-04-11", decision="refuse_to_assess"),
                 ev("mediation_requested", "2025-06-02"),
                 ev("mediation_agreement", "2025-07-07", appealable=True, action="assess"))
    assert only(ds, "mediation_agreed_notify_due").due == D("2025-07-21")
    assert only(ds, "mediation_agreed_decision_not_necessary_due").due == D("2025-09-15")
    assert only(ds, "mediation_agreed_final_plan_due").due == D("2025-10-13")
    assert {d.rule for d in ds if d.key.startswith("mediation_agreed_")} == {"R25"}


def test_R25_an_appealable_agreement_naming_no_reg44_step_is_warned_about():
    events = (ev("decision_letter_sent", "2025-04-11", decision="refuse_to_assess"),
              ev("mediation_requested", "2025-06-02"),
              ev("mediation_agreement", "2025-07-07", appealable=True, action="review soon"))
    assert any("appealable mediation agreement" in w for w in warnings(*events))
