"""EHC needs assessment clocks R01-R06 and R29, written from statutory-rules.md.

Every expected date below was worked out by hand from the rules file (§2-§6), not taken
from the program. Dates are checked against the day of the week and §7.1's bank holidays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.events import parse_events
from engine.status import Deadline, Status, days_late, status_on

D = dt.date.fromisoformat
ENGLAND = load_calendar()


def ev(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": day, **fields}


def project(*events: dict[str, Any], la: str | None = None) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(list(events)), load_calendar(la))


def only(deadlines: tuple[Deadline, ...], key: str, instance: str | None = None) -> Deadline:
    found = [d for d in deadlines if d.key == key and instance in (None, d.instance)]
    assert len(found) == 1, f"{key}: {[(d.instance, d.nominal) for d in found]}"
    return found[0]


def keys(deadlines: tuple[Deadline, ...]) -> set[str]:
    return {d.key for d in deadlines}


REQUEST = ev("request_received", "2025-01-06")  # Mon 6 Jan 2025, the §2 T1 example


# --- R01: decision whether to assess, 6 weeks (reg 5(1)) ---------------------------------


def test_R01_decision_to_assess_due_6_weeks_after_request_mon_6_jan_2025_is_mon_17_feb():
    d = only(project(REQUEST), "decision_to_assess_due")
    assert (d.rule, d.due, d.nominal, d.trigger_date) == ("R01", D("2025-02-17"),
                                                          D("2025-02-17"), D("2025-01-06"))
    assert d.statutory
    assert d.kind == "limit"


def test_R01_decision_to_assess_due_6_weeks_after_la_became_responsible_s24():
    d = only(project(ev("la_became_responsible", "2025-01-06")), "decision_to_assess_due")
    assert d.due == D("2025-02-17")


def test_R01_request_on_a_saturday_gives_a_saturday_deadline_not_moved():
    # Sat 4 Jan 2025 + 42 days = Sat 15 Feb 2025 (T1, T8).
    d = only(project(ev("request_received", "2025-01-04")), "decision_to_assess_due")
    assert d.due == D("2025-02-15")


def test_R01_decision_notified_on_the_last_day_is_met_on_time():
    d = only(project(REQUEST, ev("decision_to_assess_notified", "2025-02-17", outcome="assess")),
             "decision_to_assess_due")
    assert d.met_on == D("2025-02-17")
    assert status_on(d, D("2025-03-01"), ENGLAND) is Status.MET_ON_TIME


def test_R01_decision_notified_a_day_after_the_6_weeks_is_met_late_by_one_day():
    d = only(project(REQUEST, ev("decision_to_assess_notified", "2025-02-18", outcome="refuse")),
             "decision_to_assess_due")
    assert status_on(d, D("2025-02-18"), ENGLAND) is Status.MET_LATE
    assert days_late(d, D("2025-06-01")) == 1


def test_R01_no_decision_by_the_end_of_the_6_weeks_is_breached_the_next_day():
    d = only(project(REQUEST), "decision_to_assess_due")
    assert status_on(d, D("2025-02-17"), ENGLAND) is not Status.BREACHED
    assert status_on(d, D("2025-02-18"), ENGLAND) is Status.BREACHED
    assert days_late(d, D("2025-02-20")) == 3


# --- R02: advice, 6 weeks from the body's receipt (reg 8(1)) -----------------------------


def test_R02_advice_due_6_weeks_after_the_request_one_clock_per_adviser():
    # Mon 3 Mar 2025 + 42 = Mon 14 Apr 2025; received Wed 5 Mar -> Wed 16 Apr.
    ds = project(
        REQUEST,
        ev("decision_to_assess_notified", "2025-02-10", outcome="assess"),
        ev("advice_requested", "2025-03-03", advisor="educational_psychologist", advice_id="ep"),
        ev("advice_requested", "2025-03-03", advisor="health_icb", advice_id="icb",
           received_on="2025-03-05"),
    )
    assert only(ds, "advice_due", "ep").due == D("2025-04-14")
    assert only(ds, "advice_due", "icb").due == D("2025-04-16")
    assert only(ds, "advice_due", "ep").rule == "R02"
    assert only(ds, "advice_due", "ep").actor == "adviser"


def test_R02_advice_received_stops_only_that_advisers_clock():
    ds = project(
        REQUEST,
        ev("decision_to_assess_notified", "2025-02-10", outcome="assess"),
        ev("advice_requested", "2025-03-03", advisor="educational_psychologist", advice_id="ep"),
        ev("advice_requested", "2025-03-03", advisor="social_care", advice_id="sc"),
        ev("advice_received", "2025-04-10", advice_id="ep"),
    )
    ep, sc = only(ds, "advice_due", "ep"), only(ds, "advice_due", "sc")
    assert ep.met_on == D("2025-04-10")
    assert sc.met_on is None
    assert status_on(ep, D("2025-04-15"), ENGLAND) is Status.MET_ON_TIME
    assert status_on(sc, D("2025-04-15"), ENGLAND) is Status.BREACHED


def test_R02_advice_received_by_adviser_name_matches_that_advisers_request():
    ds = project(
        REQUEST,
        ev("advice_requested", "2025-03-03", advisor="educational_psychologist"),
        ev("advice_requested", "2025-03-04", advisor="health_icb"),
        ev("advice_received", "2025-04-20", advisor="health_icb"),
    )
    advice = {d.trigger_date: d for d in ds if d.key == "advice_due"}
    assert advice[D("2025-03-04")].met_on == D("2025-04-20")
    assert status_on(advice[D("2025-03-04")], D("2025-05-01"), ENGLAND) is Status.MET_LATE
    assert advice[D("2025-03-03")].met_on is None


# --- R03: decision not to issue, 16 weeks (reg 10(1)) ------------------------------------


def test_R03_decision_not_to_issue_due_16_weeks_after_request_mon_28_apr_2025():
    d = only(project(REQUEST), "decision_not_to_issue_due")
    assert (d.rule, d.due) == ("R03", D("2025-04-28"))


def test_R03_decision_not_to_issue_notified_stops_the_16_week_clock():
    d = only(project(REQUEST, ev("decision_to_assess_notified", "2025-02-10", outcome="assess"),
                     ev("decision_not_to_issue_notified", "2025-04-25")),
             "decision_not_to_issue_due")
    assert d.met_on == D("2025-04-25")
    assert status_on(d, D("2025-05-30"), ENGLAND) is Status.MET_ON_TIME


def test_R03_and_R06_no_clocks_run_after_a_refusal_to_assess():
    ds = project(REQUEST, ev("decision_to_assess_notified", "2025-02-10", outcome="refuse"))
    for key in ("decision_not_to_issue_due", "final_plan_due"):
        assert all(status_on(d, D("2026-01-01"), ENGLAND) is not Status.BREACHED
                   for d in ds if d.key == key)


def test_R06_decision_not_to_issue_ends_the_20_week_duty():
    ds = project(REQUEST, ev("decision_to_assess_notified", "2025-02-10", outcome="assess"),
                 ev("decision_not_to_issue_notified", "2025-04-25"))
    assert all(status_on(d, D("2025-12-01"), ENGLAND) is not Status.BREACHED
               for d in ds if d.key == "final_plan_due")


# --- R04: draft plan window, at least 15 days beginning with service (reg 13(1), T3) ------


def test_R04_draft_served_mon_17_feb_2025_window_ends_mon_3_mar_2025():
    d = only(project(REQUEST, ev("draft_plan_served", "2025-02-17", method="email")),
             "draft_representations_end")
    assert (d.rule, d.kind, d.nominal) == ("R04", "window", D("2025-03-03"))


def test_R04_final_plan_issued_on_the_last_day_of_the_window_breaches_it():
    d = only(project(REQUEST, ev("draft_plan_served", "2025-02-17"),
                     ev("final_plan_issued", "2025-03-03")), "draft_representations_end")
    assert d.premature_on == D("2025-03-03")
    assert status_on(d, D("2025-03-03"), ENGLAND) is Status.BREACHED


def test_R04_final_plan_issued_on_served_plus_15_days_respects_the_window():
    d = only(project(REQUEST, ev("draft_plan_served", "2025-02-17"),
                     ev("final_plan_issued", "2025-03-04")), "draft_representations_end")
    assert d.premature_on is None
    assert status_on(d, D("2025-03-04"), ENGLAND) is Status.MET_ON_TIME


def test_R04_a_draft_with_no_request_on_file_is_accepted_and_starts_only_its_window():
    ds = project(ev("draft_plan_served", "2025-02-17", method="hand"))
    assert only(ds, "draft_representations_end").nominal == D("2025-03-03")
    assert "final_plan_due" not in keys(ds)
    assert "decision_to_assess_due" not in keys(ds)


# --- R29 then R04: deemed service of a posted draft (§6 worked examples) ------------------


@pytest.mark.parametrize(
    ("posted", "served", "window_end"),
    [
        # Thu 17 Apr 2025: Good Friday 18th, weekend, Easter Monday 21st -> Tue 22 (1), Wed 23 (2).
        ("2025-04-17", "2025-04-23", "2025-05-07"),
        # Fri 22 Aug 2025: weekend, bank holiday Mon 25th -> Tue 26 (1), Wed 27 (2).
        ("2025-08-22", "2025-08-27", "2025-09-10"),
        # Tue 23 Dec 2025: Wed 24 (1), Christmas and Boxing Day, weekend -> Mon 29 (2).
        ("2025-12-23", "2025-12-29", "2026-01-12"),
        # Thu 2 Apr 2026: Good Friday 3rd, weekend, Easter Monday 6th -> Tue 7 (1), Wed 8 (2).
        ("2026-04-02", "2026-04-08", "2026-04-22"),
    ],
)
def test_R29_draft_posted_first_class_is_deemed_served_on_the_2nd_working_day_then_R04_runs(
    posted, served, window_end
):
    ds = project(ev("draft_plan_posted", posted, method="first_class_post"))
    deemed = only(ds, "draft_deemed_served")
    assert (deemed.rule, deemed.nominal, deemed.trigger_date) == ("R29", D(served), D(posted))
    assert only(ds, "draft_representations_end").nominal == D(window_end)


def test_R29_draft_posted_second_class_is_deemed_served_on_the_4th_working_day():
    # Thu 17 Apr 2025: Tue 22 (1), Wed 23 (2), Thu 24 (3), Fri 25 (4); window to Fri 9 May.
    ds = project(ev("draft_plan_posted", "2025-04-17", method="second_class_post"))
    assert only(ds, "draft_deemed_served").nominal == D("2025-04-25")
    assert only(ds, "draft_representations_end").nominal == D("2025-05-09")


def test_R29_final_plan_before_the_deemed_window_ends_breaches_R04():
    ds = project(REQUEST, ev("draft_plan_posted", "2025-04-17", method="first_class_post"),
                 ev("final_plan_issued", "2025-05-07"))
    assert status_on(only(ds, "draft_representations_end"), D("2025-05-08"),
                     ENGLAND) is Status.BREACHED


# --- R05: school consultation, "should respond within 15 days" (guidance) ----------------


def test_R05_school_consultation_response_due_15_days_after_sending_is_guidance_only():
    d = only(project(REQUEST, ev("school_consulted", "2025-03-03", school="URN100000")),
             "school_consultation_response_due")
    assert (d.rule, d.nominal, d.statutory) == ("R05", D("2025-03-18"), False)


# --- R06: final plan, 20 weeks (reg 13(2)) ------------------------------------------------


def test_R06_final_plan_due_20_weeks_after_request_mon_26_may_2025_bank_holiday_not_moved():
    d = only(project(REQUEST), "final_plan_due")
    assert (d.rule, d.due, d.nominal) == ("R06", D("2025-05-26"), D("2025-05-26"))
    assert not ENGLAND.is_working_day(d.due)  # Spring bank holiday: T8 keeps it


def test_R06_final_plan_due_20_weeks_after_la_became_responsible():
    d = only(project(ev("la_became_responsible", "2025-01-06")), "final_plan_due")
    assert d.due == D("2025-05-26")


def test_R06_final_plan_on_the_bank_holiday_is_on_time_the_next_day_is_one_day_late():
    on_time = only(project(REQUEST, ev("final_plan_issued", "2025-05-26")), "final_plan_due")
    late = only(project(REQUEST, ev("final_plan_issued", "2025-05-27")), "final_plan_due")
    assert status_on(on_time, D("2025-06-30"), ENGLAND) is Status.MET_ON_TIME
    assert status_on(late, D("2025-06-30"), ENGLAND) is Status.MET_LATE
    assert days_late(late, D("2025-06-30")) == 1


def test_R06_the_20_week_clock_is_not_restarted_by_process_events():
    """W v Hertfordshire: the 20 weeks run from the request whatever the LA does next."""
    ds = project(
        REQUEST,
        ev("decision_to_assess_notified", "2025-02-14", outcome="assess"),
        ev("advice_requested", "2025-02-20", advisor="educational_psychologist"),
        ev("draft_plan_served", "2025-04-14"),
        ev("draft_plan_served", "2025-05-12"),  # a revised draft
    )
    assert [d.due for d in ds if d.key == "final_plan_due"] == [D("2025-05-26")]


def test_R06_no_final_plan_after_20_weeks_is_breached():
    d = only(project(REQUEST, ev("decision_to_assess_notified", "2025-02-14", outcome="assess")),
             "final_plan_due")
    assert status_on(d, D("2025-05-26"), ENGLAND) is Status.DUE_SOON
    assert status_on(d, D("2025-05-27"), ENGLAND) is Status.BREACHED


def test_R01_R03_R06_request_received_at_an_instant_counts_from_its_london_date():
    """T9: 23:30Z on Sat 25 Oct 2025 is 00:30 BST on Sun 26 Oct (clocks change at 01:00Z)."""
    ds = project({"type": "request_received", "received_at": "2025-10-25T23:30:00Z",
                  "date": "2025-10-25"})
    # Sun 26 Oct 2025 + 42 = Sun 7 Dec; + 112 = Sun 15 Feb 2026; + 140 = Sun 15 Mar 2026.
    assert only(ds, "decision_to_assess_due").due == D("2025-12-07")
    assert only(ds, "decision_not_to_issue_due").due == D("2026-02-15")
    assert only(ds, "final_plan_due").due == D("2026-03-15")


def test_R29_draft_posted_on_a_saturday_is_served_on_the_2nd_working_day_after():
    # Easter Saturday 19 Apr 2025: Easter Monday skipped -> Tue 22 (1), Wed 23 (2).
    ds = project(ev("draft_plan_posted", "2025-04-19", method="first_class_post"))
    assert only(ds, "draft_deemed_served").nominal == D("2025-04-23")


def test_R04_final_plan_issued_before_the_posted_draft_is_even_served_breaches_the_window():
    """T3: the LA may not finalise before served + 15; finalising between posting (Thu 17 Apr
    2025) and deemed service (Wed 23 Apr) is before the window ends (Wed 7 May)."""
    ds = project(REQUEST, ev("draft_plan_posted", "2025-04-17", method="first_class_post"),
                 ev("final_plan_issued", "2025-04-22"))
    window = only(ds, "draft_representations_end")
    assert window.premature_on == D("2025-04-22")
    assert status_on(window, D("2025-05-10"), ENGLAND) is Status.BREACHED
