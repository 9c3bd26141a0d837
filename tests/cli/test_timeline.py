"""``ehc timeline`` on the shipped examples, with dates worked out by hand from
statutory-rules.md (the arithmetic is in each test), and its refusals of bad input."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from freezegun import freeze_time

from cli.main import main
from services.bootstrap import london_today

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROW_KEYS = {
    "key", "rule", "instance", "due", "nominal", "status", "met_on", "days_late", "statutory",
    "kind", "exception", "exceptions_available", "citation", "explanation", "plain_explanation",
    "warnings", "exception_recorded_on", "escalates",
}


def timeline(capsys, *argv):
    code = main(["timeline", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def example(capsys, name, as_of):
    code, out, err = timeline(capsys, EXAMPLES / name, "--as-of", as_of)
    assert (code, err) == (0, "")
    return out


def deadline(out, key, instance=None):
    """The one timeline line for ``key`` (and ``instance``, when a key repeats)."""
    name = f"{key} ({instance})" if instance else key
    lines = [ln for ln in out.splitlines() if f"  deadline  {name} [" in ln]
    assert len(lines) == 1, (name, lines)
    return lines[0]


def json_rows(capsys, name, as_of):
    code, out, _ = timeline(capsys, EXAMPLES / name, "--as-of", as_of, "--json")
    assert code == 0
    return json.loads(out)["deadlines"]


# --- the examples ------------------------------------------------------------------------


def test_assessment_on_time_final_plan_due_on_the_spring_bank_holiday(capsys):
    out = example(capsys, "assessment-on-time.json", "2025-06-01")
    # T1: request Mon 6 Jan 2025 + 42 days = Mon 17 Feb; + 112 = Mon 28 Apr; + 140 = Mon 26 May
    # (Spring bank holiday, not moved: T8).
    assert deadline(out, "decision_to_assess_due").startswith("Mon 2025-02-17")
    assert deadline(out, "decision_to_assess_due").endswith("met on time on 2025-02-10")
    assert deadline(out, "decision_not_to_issue_due").startswith("Mon 2025-04-28")
    assert deadline(out, "final_plan_due").startswith("Mon 2025-05-26")
    assert deadline(out, "final_plan_due").endswith("met on time on 2025-05-20")
    # R02: advice requested Wed 12 Feb + 42 days = Wed 26 Mar.
    assert deadline(out, "advice_due", "ep-1").startswith("Wed 2025-03-26")
    assert deadline(out, "advice_due", "health-1").endswith("met on time on 2025-03-25")
    # R04 (T3): draft served Mon 14 Apr is day 1, day 15 = Mon 28 Apr. R05: 14 Apr + 15 days.
    assert deadline(out, "draft_representations_end").startswith("Mon 2025-04-28")
    assert deadline(out, "school_consultation_response_due").startswith("Tue 2025-04-29")
    # R07 (T5): 12 months starting with Tue 20 May 2025 end on Tue 19 May 2026.
    assert deadline(out, "annual_review_due").startswith("Tue 2026-05-19")
    assert "Mon 2025-01-06  event     request_received" in out


def test_late_assessment_shows_the_psychologists_advice_and_the_plan_late(capsys):
    out = example(capsys, "assessment-late-ep-advice.json", "2025-10-10")
    # Request Wed 2 Apr 2025: + 42 = Wed 14 May; + 112 = Wed 23 Jul; + 140 = Wed 20 Aug.
    assert deadline(out, "decision_to_assess_due").startswith("Wed 2025-05-14")
    assert deadline(out, "decision_not_to_issue_due").startswith("Wed 2025-07-23")
    # EP advice requested Tue 13 May + 42 = Tue 24 Jun; received 15 Aug: 6 + 31 + 15 = 52 late.
    assert deadline(out, "advice_due", "ep-1") == (
        "Tue 2025-06-24  deadline  advice_due (ep-1) [R02]  met late on 2025-08-15, 52 days late"
    )
    assert deadline(out, "advice_due", "sc-1").endswith("met on time on 2025-06-10")
    # Final plan 6 Oct against 20 Aug: 11 + 30 + 6 = 47 days late.
    assert deadline(out, "final_plan_due").endswith("met late on 2025-10-06, 47 days late")


def test_late_assessment_judged_before_the_advice_came_shows_it_breached(capsys):
    out = example(capsys, "assessment-late-ep-advice.json", "2025-08-01")
    # Judged on 1 Aug: advice still outstanding, 24 Jun -> 1 Aug = 6 + 31 + 1 = 38 days late.
    assert deadline(out, "advice_due", "ep-1").endswith("BREACHED, 38 days late")
    # 20 Aug is more than 10 working days after Fri 1 Aug (10th = Fri 15 Aug): pending.
    assert deadline(out, "final_plan_due").endswith("  pending")


def test_recorded_closure_exception_disapplies_the_20_and_16_week_limits(capsys):
    out = example(capsys, "assessment-summer-closure-exception.json", "2025-12-01")
    # Request Mon 2 Jun 2025: + 140 = Mon 20 Oct; + 112 = Mon 22 Sep. Both disapplied.
    assert deadline(out, "final_plan_due").startswith("Mon 2025-10-20")
    assert "disapplied by reg13_3_a_school_closure" in deadline(out, "final_plan_due")
    assert deadline(out, "decision_not_to_issue_due").startswith("Mon 2025-09-22")
    assert "disapplied by reg10_4_a" in deadline(out, "decision_not_to_issue_due")
    # Reg 5(4) is a separate exception: the 6-week decision (Mon 14 Jul) still applies.
    assert deadline(out, "decision_to_assess_due").endswith("met on time on 2025-07-07")
    # The head teacher's advice, asked Tue 15 Jul (the first day of the closure window,
    # 22 Jul - 7): + 42 = Tue 26 Aug 2025, met 10 Sep, 15 days late.
    assert deadline(out, "advice_due", "ht-1") == (
        "Tue 2025-08-26  deadline  advice_due (ht-1) [R02]  met late on 2025-09-10, 15 days late"
    )
    assert "Tue 2025-07-22  event     school_closure school=URN138000" in out

    rows = {r["key"]: r for r in json_rows(capsys, "assessment-summer-closure-exception.json",
                                           "2025-12-01")}
    assert rows["final_plan_due"]["due"] is None
    assert rows["final_plan_due"]["nominal"] == "2025-10-20"
    assert rows["final_plan_due"]["status"] == "disapplied"
    assert rows["final_plan_due"]["exception"] == "reg13_3_a_school_closure"


def test_annual_review_late_notice_makes_the_devon_backstop_the_final_date(capsys):
    out = example(capsys, "annual-review-devon-backstop.json", "2025-07-01")
    # Meeting M = Mon 3 Mar 2025. R09: M - 14 = Mon 17 Feb. R10: M + 14 = Mon 17 Mar.
    assert deadline(out, "review_invitation_latest").startswith("Mon 2025-02-17")
    assert deadline(out, "review_advice_circulation_latest").startswith("Mon 2025-02-17")
    assert deadline(out, "review_report_due").startswith("Mon 2025-03-17")
    # R11 and R12a: M + 28 = Mon 31 Mar; notice sent Mon 7 Apr is 7 days late.
    assert deadline(out, "review_decision_due").endswith("met on time on 2025-03-28")
    assert deadline(out, "amendment_notice_due") == (
        "Mon 2025-03-31  deadline  amendment_notice_due [R12a]  met late on 2025-04-07, "
        "7 days late"
    )
    # R12b: notice served (email) Mon 7 Apr is day 1; day 15 = Mon 21 Apr (Easter Monday).
    assert deadline(out, "amendment_representations_end").startswith("Mon 2025-04-21")
    # R12c: reg 22 = 7 Apr + 56 = Mon 2 Jun; Devon = M + 84 = Mon 26 May; final = earlier.
    assert deadline(out, "amended_plan_reg22_due").startswith("Mon 2025-06-02")
    assert deadline(out, "amended_plan_reg22_due").endswith("met on time on 2025-05-30")
    assert deadline(out, "amended_plan_devon_backstop").endswith(
        "met late on 2025-05-30, 4 days late")
    assert deadline(out, "amended_plan_final_due").startswith("Mon 2025-05-26")
    # R07 (T5): plan 15 Mar 2024 -> 14 Mar 2025, completed by the decision 28 Mar (14 late);
    # next period starts with the decision (A5): 28 Mar 2025 -> 27 Mar 2026.
    reviews = [ln for ln in out.splitlines() if "deadline  annual_review_due [" in ln]
    assert reviews == [
        "Fri 2025-03-14  deadline  annual_review_due [R07]  met late on 2025-03-28, 14 days late",
        "Fri 2026-03-27  deadline  annual_review_due [R07]  pending",
    ]


def test_phase_transfer_to_post16_must_be_amended_by_30_march(capsys):
    out = example(capsys, "phase-transfer-post16-31-march.json", "2026-03-01")
    # Reg 18(1)(a) "before 31 March" 2026 (A6): last day Mon 30 Mar, named date Tue 31 Mar.
    assert deadline(out, "phase_transfer_last_day").startswith("Mon 2026-03-30")
    assert deadline(out, "phase_transfer_last_day").endswith("met on time on 2026-02-10")
    assert deadline(out, "phase_transfer_named_date").startswith("Tue 2026-03-31")
    # Meeting Tue 2 Dec 2025: notice 19 Dec + 56 = Fri 13 Feb 2026; M + 84 = Tue 24 Feb.
    assert deadline(out, "amended_plan_final_due").startswith("Fri 2026-02-13")
    assert deadline(out, "amended_plan_devon_backstop").startswith("Tue 2026-02-24")
    # R12b: 19 Dec + 14 = Fri 2 Jan 2026.
    assert deadline(out, "amendment_representations_end").startswith("Fri 2026-01-02")


def test_phase_transfer_15_february_last_day_is_saturday_14th_and_not_moved(capsys):
    out = example(capsys, "phase-transfer-15-february.json", "2026-02-20")
    assert deadline(out, "phase_transfer_last_day") == (
        "Sat 2026-02-14  deadline  phase_transfer_last_day [R13]  BREACHED, 6 days late"
    )
    assert deadline(out, "phase_transfer_named_date").startswith("Sun 2026-02-15")
    # Notice Mon 1 Dec 2025 + 56 = Mon 26 Jan 2026; meeting Mon 10 Nov + 84 = Mon 2 Feb.
    # Judged 20 Feb: 26 Jan -> 20 Feb = 5 + 20 = 25 days late.
    assert deadline(out, "amended_plan_final_due") == (
        "Mon 2026-01-26  deadline  amended_plan_final_due [R12c]  BREACHED, 25 days late"
    )
    assert deadline(out, "amended_plan_devon_backstop").startswith("Mon 2026-02-02")


def test_draft_posted_before_easter_is_deemed_served_on_wednesday(capsys):
    out = example(capsys, "draft-posted-over-easter.json", "2025-06-01")
    # §6: posted Thu 17 Apr 2025; Fri 18 (Good Friday), the weekend and Mon 21 (Easter
    # Monday) are not working days: Tue 22 is the 1st, Wed 23 Apr the 2nd -> served.
    assert deadline(out, "draft_deemed_served").startswith("Wed 2025-04-23")
    # T3: 23 Apr is day 1; day 15 = Wed 7 May.
    assert deadline(out, "draft_representations_end").startswith("Wed 2025-05-07")
    # Request Mon 13 Jan 2025: + 42 = Mon 24 Feb; + 112 = Mon 5 May; + 140 = Mon 2 Jun.
    assert deadline(out, "decision_to_assess_due").startswith("Mon 2025-02-24")
    assert deadline(out, "decision_not_to_issue_due").startswith("Mon 2025-05-05")
    assert deadline(out, "final_plan_due").endswith("met on time on 2025-05-12")
    assert deadline(out, "final_plan_due").startswith("Mon 2025-06-02")


def test_refusal_with_mediation_has_its_appeal_deadline_rolled_out_of_august(capsys):
    out = example(capsys, "refusal-mediation-august-appeal.json", "2025-07-10")
    # Request Mon 3 Mar 2025 + 42 = Mon 14 Apr; refusal notified Fri 11 Apr.
    assert deadline(out, "decision_to_assess_due").endswith("met on time on 2025-04-11")
    # R21 (T4): letter sent Fri 11 Apr + 2 months = Wed 11 Jun.
    assert deadline(out, "mediation_adviser_contact_due").startswith("Wed 2025-06-11")
    # R23: mediation requested Mon 2 Jun + 30 days = Wed 2 Jul.
    assert deadline(out, "mediation_must_take_place_by").startswith("Wed 2025-07-02")
    # R24: concluded Tue 1 Jul + 3 working days = Fri 4 Jul.
    assert deadline(out, "mediation_certificate_due").startswith("Fri 2025-07-04")
    # R26: later of 11 Jun and certificate Thu 3 Jul + 1 month = Sun 3 Aug, in August ->
    # r.12: first working day of September, Mon 1 Sep 2025.
    # The parent's window: open until then, never a council breach.
    assert deadline(out, "appeal_deadline") == (
        "Mon 2025-09-01  deadline  appeal_deadline [R26]  window open"
    )


def test_plan_transferred_late_in_the_move_uses_15_working_days_from_awareness(capsys):
    out = example(capsys, "plan-transferred-between-las.json", "2025-11-01")
    # Aware Mon 1 Sep of a move on Fri 5 Sep: not 15 working days ahead, so 15 working days
    # beginning with 1 Sep (T6): 1-5, 8-12, 15-19 Sep -> Fri 19 Sep.
    assert deadline(out, "plan_transfer_due") == (
        "Fri 2025-09-19  deadline  plan_transfer_due [R17]  met on time on 2025-09-17"
    )
    # R18: transferred Wed 17 Sep + 42 = Wed 29 Oct.
    assert deadline(out, "new_la_notification_due").startswith("Wed 2025-10-29")
    # R19: later of 12 months from 1 Oct 2024 (-> 30 Sep 2025) and 3 months beginning with
    # 17 Sep 2025 (-> 16 Dec 2025).
    assert deadline(out, "transferred_plan_review_due") == (
        "Tue 2025-12-16  deadline  transferred_plan_review_due [R19]  pending"
    )


def test_import_starting_at_a_leap_day_review(capsys):
    out = example(capsys, "imported-from-last-review.json", "2025-03-01")
    # T5: 12 months starting 29 Feb 2024 end 28 Feb 2025; then from the decision 24 Feb 2025
    # to 23 Feb 2026. R11: meeting Mon 10 Feb + 28 = Mon 10 Mar.
    reviews = [ln for ln in out.splitlines() if "deadline  annual_review_due [" in ln]
    assert reviews == [
        "Fri 2025-02-28  deadline  annual_review_due [R07]  met on time on 2025-02-24",
        "Mon 2026-02-23  deadline  annual_review_due [R07]  pending",
    ]
    assert deadline(out, "review_decision_due").startswith("Mon 2025-03-10")


# --- the family's explanation, on every example -------------------------------------------

RULE_CODE = re.compile(
    r"\b(?:[RTA]\d{1,2}[a-c]?|reg|regs|CoP|HESC|SI|CFA)\b|\[verify\]|Source|s\.\d"
)
SHORT_DAY = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|"
                       r"Nov|Dec)\b")


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_has_a_plain_explanation_for_the_family_and_the_staff_one(capsys, name):
    rows = json_rows(capsys, name, "2026-06-01")
    assert rows
    for row in rows:
        plain, staff = row["plain_explanation"], row["explanation"]
        assert plain, row["key"]
        assert not RULE_CODE.search(plain), (row["key"], plain)
        nominal = dt.date.fromisoformat(row["nominal"])
        assert f"{nominal:%A} {nominal.day} {nominal:%B %Y}" in plain, (row["key"], plain)
        for sentence in re.split(r"(?<=\.) ", plain):
            assert len(sentence.split()) <= 25, (row["key"], sentence)
        assert not SHORT_DAY.search(plain), plain  # day names in full, never "Mon 6 Jan"
        # The staff explanation keeps its arithmetic and its source.
        assert row["citation"] in staff
        assert staff.endswith(f"Source: {row['citation']}.")


def test_family_option_prints_the_plain_explanation_under_each_deadline(capsys):
    out = example(capsys, "assessment-on-time.json", "2025-06-01")
    code, family, _ = timeline(capsys, EXAMPLES / "assessment-on-time.json", "--as-of",
                               "2025-06-01", "--family")
    assert code == 0
    assert "Source:" in out
    assert "Source:" not in family
    assert "The council must issue the final plan by Monday 26 May 2025." in family
    rows = json_rows(capsys, "assessment-on-time.json", "2025-06-01")
    final = next(r for r in rows if r["key"] == "final_plan_due")["plain_explanation"]
    assert "That day is a bank holiday. The date does not move because of that." in final
    deadline_lines = [ln for ln in out.splitlines() if "  deadline  " in ln]
    assert deadline_lines == [ln for ln in family.splitlines() if "  deadline  " in ln]


def test_every_example_is_covered_by_a_test():
    tested = {
        "assessment-on-time.json", "assessment-late-ep-advice.json",
        "assessment-summer-closure-exception.json", "annual-review-devon-backstop.json",
        "phase-transfer-post16-31-march.json", "phase-transfer-15-february.json",
        "draft-posted-over-easter.json", "refusal-mediation-august-appeal.json",
        "plan-transferred-between-las.json", "imported-from-last-review.json",
    }
    assert {p.name for p in EXAMPLES.glob("*.json")} == tested


# --- output shape ------------------------------------------------------------------------


def test_json_rows_carry_every_documented_field_with_iso_dates(capsys):
    rows = json_rows(capsys, "assessment-on-time.json", "2025-06-01")
    assert rows
    for row in rows:
        assert ROW_KEYS <= row.keys()
        dt.date.fromisoformat(row["nominal"])
    final = next(r for r in rows if r["key"] == "final_plan_due")
    assert (final["rule"], final["due"], final["status"], final["met_on"], final["days_late"]) == (
        "R06", "2025-05-26", "met_on_time", "2025-05-20", None
    )


def test_as_of_changes_only_the_statuses(capsys):
    early = json_rows(capsys, "assessment-on-time.json", "2025-02-01")
    late = json_rows(capsys, "assessment-on-time.json", "2025-06-01")
    assert [r["due"] for r in early] == [r["due"] for r in late]
    final_early = next(r for r in early if r["key"] == "final_plan_due")
    assert final_early["status"] == "pending"  # the plan issued in May does not count yet


def test_events_and_deadlines_interleave_in_date_order(capsys):
    out = example(capsys, "draft-posted-over-easter.json", "2025-06-01")
    days = [ln[4:14] for ln in out.splitlines()[2:] if ln[:3].isalpha()]
    assert days == sorted(days)
    assert out.splitlines()[0] == (
        "Case EX-ASSESS-004 | calendar: E10000028 Staffordshire County Council | as of 2025-06-01"
    )


def test_la_option_overrides_the_documents_local_authority(capsys, tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"reference": "X", "local_authority": "E10000028", "events": [
        {"type": "request_received", "date": "2025-01-06"}]}))
    code, out, _ = timeline(capsys, case, "--as-of", "2025-01-07", "--la", "")
    assert code == 0
    assert "calendar: E10000028" in out  # an empty --la falls back to the document
    doc = json.loads(case.read_text())
    del doc["local_authority"]
    case.write_text(json.dumps(doc))
    code, out, _ = timeline(capsys, case, "--as-of", "2025-01-07")
    assert "calendar: England (bank holidays only)" in out
    code, out, _ = timeline(capsys, case, "--as-of", "2025-01-07", "--la", "E10000028")
    assert "calendar: E10000028 Staffordshire County Council" in out


# --- bad input ---------------------------------------------------------------------------


def write(tmp_path, content):
    case = tmp_path / "case.json"
    case.write_text(content if isinstance(content, str) else json.dumps(content))
    return case


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"events": [', "not valid JSON: Expecting value at line 1, column 13"),
        ("[]", "the document must be a JSON object with an 'events' list"),
        ({"reference": "X"}, "the document has no 'events' list"),
        ({"reference": 7, "events": []}, "'reference' must be a string"),
        ({"events": [{"type": "request_received", "date": "2025-01-06"},
                     {"type": "plan_cancelled", "date": "2025-02-01"}]},
         "event #2 (plan_cancelled): unknown event type 'plan_cancelled'"),
        ({"events": [{"type": "decision_to_assess_notified", "date": "2025-02-01"}]},
         "event #1 (decision_to_assess_notified): decision_to_assess_notified: outcome: "
         "Field required"),
        ({"events": [{"type": "request_received", "date": "2025-02-30"}]},
         "event #1 (request_received): request_received: date:"),
        ({"events": [{"type": "request_received", "date": "2025-02-01"},
                     {"type": "draft_plan_served", "date": "2024-12-20"},
                     {"type": "final_plan_issued", "date": "2025-01-01"}]},
         "event #2 (draft_plan_served): draft_plan_served on 2024-12-20 is dated before "
         "request_received on 2025-02-01"),
        ({"events": [{"type": "request_received", "date": "2025-01-06"},
                     {"type": "decision_to_assess_notified", "date": "2025-02-01",
                      "outcome": "assess"},
                     {"type": "decision_to_assess_notified", "date": "2025-02-03",
                      "outcome": "assess"}]},
         "event #3 (decision_to_assess_notified): decision_to_assess_notified:assess on "
         "2025-02-03: the decision whether to assess is already on file"),
        ({"events": [{"type": "event_withdrawn", "date": "2025-02-01", "withdraws": "r9",
                      "reason": "typo"}]},
         "event #1 (event_withdrawn): event_withdrawn withdraws 'r9', but no event has that id"),
        ({"local_authority": "E99999999", "events": []},
         "no calendar data for local authority 'E99999999'"),
    ],
    ids=["bad-json", "not-object", "no-events", "bad-reference", "unknown-type",
         "missing-field", "bad-date", "out-of-order", "decided-twice", "withdraw-unknown",
         "unknown-la"],
)
def test_bad_input_exits_2_with_the_reason_and_the_offending_event(
    capsys, tmp_path, content, message
):
    case = write(tmp_path, content)
    code, out, err = timeline(capsys, case, "--as-of", "2025-06-01")
    assert code == 2
    assert out == ""
    assert err.startswith(f"ehc timeline: {case}: ")
    assert message in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"events": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "the JSON is nested too deeply to read"),
        ('{"events": [{"type": "request_received", "date": "2025-01-06", "note": "\\ud800"}]}',
         "event #1 (request_received): note: not valid text: character 1 is a lone surrogate"),
        ('{"reference": "\\udc00", "events": []}', "'reference' is not valid text"),
        ({"events": [{"type": "request_received", "date": 0}]},
         "event #1 (request_received): request_received: date: expected a date written "
         "YYYY-MM-DD, not the number 0"),
        ({"events": [{"type": "request_received", "date": "9999-12-31"}]},
         "event #1 (request_received): request_received: date: 9999-12-31 is outside"),
        ({"events": [{"type": "request_received", "date": "2013-11-04"}]},
         "event #1 (request_received): request_received: 2013-11-04 is before the Children "
         "and Families Act 2014 Part 3 came into force"),
        ({"events": [{"type": "mediation_requested", "date": "2025-02-01", "decision_letter": "x"},
                     {"type": "decision_letter_sent", "date": "2025-01-06",
                      "decision": "refuse_to_assess"}]},
         "event #1 (mediation_requested): mediation_requested names decision_letter 'x'"),
    ],
    ids=["deep-nesting", "lone-surrogate", "surrogate-reference", "date-0", "year-9999",
         "before-the-act", "unknown-letter"],
)
def test_R01_input_that_crashed_the_engine_exits_2_pointing_at_the_event(
    capsys, tmp_path, content, message
):
    case = write(tmp_path, content)
    code, out, err = timeline(capsys, case, "--as-of", "2025-06-01")
    assert (code, out) == (2, "")
    assert err.startswith(f"ehc timeline: {case}: ")
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("as_of", ["1999-12-31", "2101-01-01"])
def test_R01_an_as_of_outside_the_calendars_years_exits_2(capsys, as_of):
    code, out, err = timeline(capsys, EXAMPLES / "assessment-late-ep-advice.json",
                              "--as-of", as_of)
    assert (code, out) == (2, "")
    assert f"--as-of {as_of}: no bank holiday data for" in err


def test_R01_a_file_starting_with_a_byte_order_mark_is_read(capsys, tmp_path):
    case = tmp_path / "bom.json"
    case.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "assessment-on-time.json").read_bytes())
    code, out, err = timeline(capsys, case, "--as-of", "2025-06-01")
    assert (code, err) == (0, "")
    assert example(capsys, "assessment-on-time.json", "2025-06-01") == out


def test_R06_a_late_exception_is_a_warning_in_the_timeline_and_in_the_json(capsys, tmp_path):
    case = write(tmp_path, {"events": [
        {"type": "request_received", "date": "2025-01-06"},
        {"type": "exception_recorded", "date": "2025-07-01",
         "ground": "reg13_3_c_exceptional_personal_circumstances", "applies_to": "final_plan"},
    ]})
    code, out, _ = timeline(capsys, case, "--as-of", "2025-08-01")
    assert code == 0
    assert "Warnings (1):" in out
    assert "  - event #1 (request_received) [final_plan_due]: the exception" in out
    assert "recorded late" in out
    code, out, _ = timeline(capsys, case, "--as-of", "2025-08-01", "--json")
    report = json.loads(out)
    assert report["warnings"][0]["event"] == 1
    assert report["warnings"][0]["key"] == "final_plan_due"
    final = next(r for r in report["deadlines"] if r["key"] == "final_plan_due")
    assert final["exception_recorded_on"] == "2025-07-01"
    assert final["warnings"] == [report["warnings"][0]["message"]]


def test_unreadable_file_exits_2(capsys, tmp_path):
    code, _, err = timeline(capsys, tmp_path / "missing.json")
    assert code == 2
    assert "cannot read the file" in err
    assert "missing.json" in err


def test_bad_as_of_is_refused_by_the_argument_parser(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["timeline", str(EXAMPLES / "assessment-on-time.json"), "--as-of", "1 June"])
    assert caught.value.code == 2
    assert "not a date (YYYY-MM-DD): '1 June'" in capsys.readouterr().err


# --- today in London ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frozen_utc", "london_date"),
    [
        ("2025-06-01 23:30:00", "2025-06-02"),  # BST: 00:30 on 2 June in London
        ("2025-03-29 23:30:00", "2025-03-29"),  # still GMT the night before clocks go forward
        ("2025-03-30 00:59:00", "2025-03-30"),  # GMT, minutes before the change at 01:00 UTC
        ("2025-03-30 23:30:00", "2025-03-31"),  # BST after the change
        ("2025-10-25 23:30:00", "2025-10-26"),  # BST the night before clocks go back
        ("2025-10-26 00:30:00", "2025-10-26"),  # 01:30 BST, the first of the repeated hour
        ("2025-10-26 23:30:00", "2025-10-26"),  # GMT after the change
        ("2025-12-31 23:59:59", "2025-12-31"),  # GMT: New Year's Eve stays in the old year
    ],
)
def test_london_today_follows_british_summer_time(frozen_utc, london_date):
    with freeze_time(frozen_utc):
        assert london_today() == dt.date.fromisoformat(london_date)


def test_timeline_judges_on_today_in_london_by_default(capsys):
    with freeze_time("2025-06-01 23:30:00"):
        code, out, _ = timeline(capsys, EXAMPLES / "assessment-on-time.json")
    assert code == 0
    assert out.splitlines()[0].endswith("as of 2025-06-02")


def test_timeline_default_date_across_the_october_clock_change(capsys):
    with freeze_time("2025-10-25 23:30:00"):
        code, out, _ = timeline(capsys, EXAMPLES / "assessment-late-ep-advice.json", "--json")
    assert code == 0
    # 26 Oct 2025 in London: the final plan (due 20 Aug, issued 6 Oct) counts as met late.
    rows = json.loads(out)
    assert rows["as_of"] == "2025-10-26"
    final = next(r for r in rows["deadlines"] if r["key"] == "final_plan_due")
    assert (final["status"], final["days_late"]) == ("met_late", 47)
