"""The deadline report (engine.report): the documented ``--json`` rows and ``summary``.

Shape per issue 2 and statutory-rules.md §12: every deadline with key, rule, due (null when
disapplied, with the computed date as ``nominal``), status, met_on, days_late, citation and
an explanation a caseworker can read aloud; ``summary`` lists disapplied limits flat as
``<name>_nominal`` (``final_plan_nominal``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.events import parse_events
from engine.report import deadline_rows, report, summary
from engine.status import Deadline, Status

D = dt.date.fromisoformat
ENGLAND = load_calendar()
REQUEST = {"type": "request_received", "date": "2025-01-06"}
ROW_KEYS = {"key", "rule", "instance", "kind", "statutory", "due", "nominal", "status",
            "met_on", "days_late", "trigger", "trigger_date", "exception",
            "exceptions_available", "citation", "explanation"}


def ev(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": day, **fields}


def project(*events: dict[str, Any]) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(list(events)), ENGLAND)


def row(doc: dict[str, Any], key: str) -> dict[str, Any]:
    [found] = [r for r in doc["deadlines"] if r["key"] == key]
    return found


def disapplied_case() -> tuple[Deadline, ...]:
    return project(REQUEST, ev("exception_recorded", "2025-02-01",
                               ground="reg13_3_c_exceptional_personal_circumstances",
                               applies_to=["final_plan"]))


def test_report_document_has_as_of_deadlines_and_summary_and_is_plain_json():
    doc = report(project(REQUEST), D("2025-03-01"), ENGLAND)
    assert set(doc) == {"as_of", "deadlines", "summary"}
    assert doc["as_of"] == "2025-03-01"
    assert json.loads(json.dumps(doc)) == doc


def test_report_rows_carry_every_documented_field_with_iso_dates():
    doc = report(project(REQUEST), D("2025-03-01"), ENGLAND)
    for r in doc["deadlines"]:
        assert ROW_KEYS <= set(r)
    plan = row(doc, "final_plan_due")
    assert plan["rule"] == "R06"
    assert plan["due"] == plan["nominal"] == "2025-05-26"
    assert plan["trigger"] == "request_received"
    assert plan["trigger_date"] == "2025-01-06"
    assert plan["status"] == "pending"
    assert plan["met_on"] is None
    assert plan["days_late"] is None
    assert "13(2)" in plan["citation"]


def test_report_statuses_are_the_documented_strings():
    assert {s.value for s in Status} == {"pending", "due_soon", "met_on_time", "met_late",
                                        "breached", "disapplied"}


def test_report_breached_row_counts_days_late_to_as_of():
    plan = row(report(project(REQUEST), D("2025-05-31"), ENGLAND), "final_plan_due")
    assert (plan["status"], plan["days_late"]) == ("breached", 5)


def test_report_met_late_row_gives_met_on_and_days_late_to_the_day_it_was_met():
    ds = project(REQUEST, ev("final_plan_issued", "2025-05-28"))
    plan = row(report(ds, D("2025-07-01"), ENGLAND), "final_plan_due")
    assert (plan["status"], plan["met_on"], plan["days_late"]) == ("met_late", "2025-05-28", 2)


def test_report_judges_on_as_of_events_after_it_do_not_count_yet():
    ds = project(REQUEST, ev("final_plan_issued", "2025-05-28"))
    plan = row(report(ds, D("2025-05-27"), ENGLAND), "final_plan_due")
    assert (plan["status"], plan["days_late"]) == ("breached", 1)


def test_s12_report_disapplied_row_has_null_due_its_nominal_and_the_ground():
    plan = row(report(disapplied_case(), D("2025-12-01"), ENGLAND), "final_plan_due")
    assert plan["due"] is None
    assert plan["nominal"] == "2025-05-26"
    assert plan["status"] == "disapplied"
    assert plan["days_late"] is None
    assert plan["exception"] == "reg13_3_c_exceptional_personal_circumstances"


def test_s12_summary_gives_final_plan_nominal_when_the_final_plan_limit_is_disapplied():
    flat = report(disapplied_case(), D("2025-12-01"), ENGLAND)["summary"]
    assert flat["final_plan_due"] is None
    assert flat["final_plan_nominal"] == "2025-05-26"
    assert flat["decision_to_assess_due"] == "2025-02-17"
    assert "decision_to_assess_nominal" not in flat


def test_summary_has_no_nominal_entry_for_limits_that_stand():
    flat = summary(project(REQUEST))
    assert flat["final_plan_due"] == "2025-05-26"
    assert "final_plan_nominal" not in flat


def test_summary_names_the_nominal_of_other_disapplied_clocks_the_same_way():
    ds = project(REQUEST, ev("exception_recorded", "2025-01-10", ground="reg5_4_d_absent_4_weeks",
                             applies_to="decision_to_assess"),
                 ev("advice_requested", "2025-01-20", advisor="educational_psychologist"),
                 ev("exception_recorded", "2025-01-25", ground="reg8_2_b_absent_4_weeks",
                    applies_to="advice"))
    flat = summary(ds)
    assert (flat["decision_to_assess_due"], flat["decision_to_assess_nominal"]) == (
        None, "2025-02-17")
    assert (flat["advice_due"], flat["advice_nominal"]) == (None, "2025-03-03")


def test_summary_reports_the_latest_instance_of_a_repeated_clock():
    ds = project(ev("final_plan_issued", "2025-03-15"), ev("review_meeting_held", "2026-02-20"),
                 ev("review_decision_notified", "2026-03-10", outcome="maintain"))
    assert summary(ds)["annual_review_due"] == "2027-03-09"


def test_deadline_rows_keep_the_order_given():
    ds = project(REQUEST)
    rows = deadline_rows(tuple(reversed(ds)), D("2025-03-01"), ENGLAND)
    assert [r["key"] for r in rows] == [d.key for d in reversed(ds)]


# --- Explanations a caseworker can read aloud -----------------------------------------------


def test_R06_T8_explanation_states_trigger_arithmetic_and_that_a_bank_holiday_does_not_move_it():
    text = row(report(project(REQUEST), D("2025-03-01"), ENGLAND), "final_plan_due")[
        "explanation"]
    for words in ("Mon 6 Jan 2025", "Mon 26 May 2025", "20 weeks", "140", "bank holiday",
                  "T8"):
        assert words in text


def test_R06_explanation_of_met_late_says_how_late():
    ds = project(REQUEST, ev("final_plan_issued", "2025-05-28"))
    text = row(report(ds, D("2025-07-01"), ENGLAND), "final_plan_due")["explanation"]
    assert "2 days late" in text


def test_R26_explanation_of_an_august_appeal_deadline_says_why_it_moved():
    ds = project(ev("decision_letter_sent", "2025-06-15", decision="refuse_to_assess"))
    text = row(report(ds, D("2025-07-01"), ENGLAND), "appeal_deadline")["explanation"]
    assert "August" in text
    assert "Mon 1 Sep 2025" in text


def test_R22_T6_explanation_of_working_days_names_the_bank_holidays_skipped():
    ds = project(ev("decision_letter_sent", "2025-03-01", decision="refuse_to_assess"),
                 ev("mediation_declined", "2025-04-17"))
    text = row(report(ds, D("2025-04-18"), ENGLAND), "mediation_certificate_due")["explanation"]
    assert "Fri 18 Apr 2025" in text
    assert "Mon 21 Apr 2025" in text


def test_R17_explanation_of_late_awareness_names_the_christmas_bank_holidays_skipped():
    ds = project(ev("move_notified_to_old_la", "2025-12-15", move_date="2026-01-02"))
    text = row(report(ds, D("2025-12-16"), ENGLAND), "plan_transfer_due")["explanation"]
    for day in ("Thu 25 Dec 2025", "Fri 26 Dec 2025", "Thu 1 Jan 2026"):
        assert day in text


def test_R29_explanation_of_deemed_service_names_the_easter_bank_holidays_skipped():
    ds = project(ev("draft_plan_posted", "2025-04-17", method="first_class_post"))
    text = row(report(ds, D("2025-04-18"), ENGLAND), "draft_deemed_served")["explanation"]
    assert "Fri 18 Apr 2025" in text
    assert "Mon 21 Apr 2025" in text
