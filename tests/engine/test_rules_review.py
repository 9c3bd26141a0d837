"""Annual review clocks R07-R13, written from statutory-rules.md (§2 T5, §4, §8 A4-A8, A11).

Every expected date was worked out by hand from the law's text and the rules file's
worked examples (Tees Law back-dates for phase transfers), not copied from the program.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.events import parse_events
from engine.status import Deadline, Status, status_on

D = dt.date.fromisoformat
ENGLAND = load_calendar()


def ev(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": day, **fields}


def transfer(from_: str, to: str, day: str) -> dict[str, Any]:
    return {"type": "phase_transfer_expected", "from": from_, "to": to, "transfer_date": day}


def project(*events: dict[str, Any]) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(list(events)), ENGLAND)


def only(deadlines: tuple[Deadline, ...], key: str, instance: str | None = None) -> Deadline:
    found = [d for d in deadlines if d.key == key and instance in (None, d.instance)]
    assert len(found) == 1, f"{key}: {[(d.instance, d.nominal) for d in found]}"
    return found[0]


def by_trigger(deadlines: tuple[Deadline, ...], key: str) -> dict[dt.date, Deadline]:
    return {d.trigger_date: d for d in deadlines if d.key == key}


def status(d: Deadline, day: str) -> Status:
    return status_on(d, D(day), ENGLAND)


PLAN = ev("final_plan_issued", "2025-03-15")
MEETING = ev("review_meeting_held", "2025-11-20")  # Thu 20 Nov 2025 (M)


# --- R07: annual review within the 12 months starting with the plan / last review (T5) ---


def test_R07_plan_issued_15_march_2025_review_due_14_march_2026():
    d = only(project(PLAN), "annual_review_due")
    assert (d.rule, d.due, d.trigger_date) == ("R07", D("2026-03-14"), D("2025-03-15"))


def test_R07_plan_last_reviewed_anchors_the_next_12_months():
    d = only(project(ev("plan_last_reviewed", "2025-06-10")), "annual_review_due")
    assert d.due == D("2026-06-09")


def test_R07_review_decision_completes_the_review_and_re_anchors_the_next_one():
    """A5: the next 12 months start with the date the LA notified its review decision."""
    ds = project(PLAN, ev("review_meeting_held", "2026-02-20"),
                 ev("review_decision_notified", "2026-03-10", outcome="maintain"))
    reviews = by_trigger(ds, "annual_review_due")
    first, second = reviews[D("2025-03-15")], reviews[D("2026-03-10")]
    assert first.met_on == D("2026-03-10")
    assert status(first, "2026-03-10") is Status.MET_ON_TIME
    assert second.due == D("2027-03-09")
    assert second.met_on is None


def test_R07_review_decision_after_the_12_months_is_met_late():
    ds = project(PLAN, ev("review_meeting_held", "2026-03-01"),
                 ev("review_decision_notified", "2026-03-16", outcome="amend"))
    first = by_trigger(ds, "annual_review_due")[D("2025-03-15")]
    assert status(first, "2026-03-16") is Status.MET_LATE
    assert status(first, "2026-03-15") is Status.BREACHED


def test_R07_a_decision_to_cease_completes_the_review_and_starts_no_new_12_months():
    ds = project(PLAN, ev("review_meeting_held", "2026-02-20"),
                 ev("review_decision_notified", "2026-03-10", outcome="cease"))
    assert [d.trigger_date for d in ds if d.key == "annual_review_due"] == [D("2025-03-15")]


# --- R08: under-5s, consider reviewing every 3-6 months (CoP 9.178, advisory) -------------


def test_R08_under_5_advisory_reviews_3_and_6_months_after_the_plan_are_not_statutory():
    ds = project(ev("child_date_of_birth", "2022-06-01"), PLAN)
    three, six = only(ds, "advisory_under5_review_3_months"), only(
        ds, "advisory_under5_review_6_months")
    assert (three.rule, three.nominal, three.statutory) == ("R08", D("2025-06-15"), False)
    assert (six.rule, six.nominal, six.statutory) == ("R08", D("2025-09-15"), False)


def test_R08_no_advisory_reviews_for_a_child_aged_5_or_over():
    ds = project(ev("child_date_of_birth", "2019-01-01"), PLAN)
    assert not [d for d in ds if d.rule == "R08"]


# --- R09: two weeks' notice and advice circulation before the meeting (A11) ---------------


SCHEDULED = ev("review_meeting_scheduled", "2025-10-20", meeting_date="2025-11-20")


def test_R09_invitation_and_advice_circulation_latest_2_weeks_before_the_meeting():
    ds = project(PLAN, SCHEDULED)
    for key in ("review_invitation_latest", "review_advice_circulation_latest"):
        d = only(ds, key)
        assert (d.rule, d.due) == ("R09", D("2025-11-06"))


def test_R09_invitations_sent_exactly_14_days_before_is_enough_15_is_not_required():
    """A11: 'at least two weeks' notice' has no clear-days wording, so M - 14 is on time."""
    ds = project(PLAN, SCHEDULED, ev("review_invitations_sent", "2025-11-06"))
    assert status(only(ds, "review_invitation_latest"), "2025-11-06") is Status.MET_ON_TIME


def test_R09_invitations_sent_13_days_before_the_meeting_are_late():
    ds = project(PLAN, SCHEDULED, ev("review_invitations_sent", "2025-11-07"))
    assert status(only(ds, "review_invitation_latest"), "2025-11-07") is Status.MET_LATE


def test_R09_advice_circulated_on_time_meets_its_clock_independently_of_the_invitations():
    ds = project(PLAN, SCHEDULED, ev("review_advice_circulated", "2025-11-05"))
    assert status(only(ds, "review_advice_circulation_latest"), "2025-11-10") is (
        Status.MET_ON_TIME)
    assert status(only(ds, "review_invitation_latest"), "2025-11-10") is Status.BREACHED


def test_R09_rescheduling_the_meeting_replaces_the_notice_dates():
    ds = project(PLAN, SCHEDULED,
                 ev("review_meeting_scheduled", "2025-11-01", meeting_date="2025-12-04"))
    live = [d for d in ds if d.key == "review_invitation_latest" and d.met_on is None]
    # The replaced clock must not count as a breach of the notice duty.
    assert all(status(d, "2025-12-01") is not Status.BREACHED for d in ds
               if d.key == "review_invitation_latest" and d.nominal == D("2025-11-06"))
    assert D("2025-11-20") in {d.due for d in live}


# --- R10, R11, R12a: report, decision and amendment notice after meeting M ----------------


def test_R10_review_report_due_2_weeks_after_the_meeting():
    d = only(project(PLAN, MEETING), "review_report_due")
    assert (d.rule, d.due) == ("R10", D("2025-12-04"))
    sent = only(project(PLAN, MEETING, ev("review_report_sent", "2025-12-04")),
                "review_report_due")
    assert status(sent, "2025-12-05") is Status.MET_ON_TIME


def test_R11_review_decision_due_4_weeks_after_the_meeting():
    d = only(project(PLAN, MEETING), "review_decision_due")
    assert (d.rule, d.due) == ("R11", D("2025-12-18"))


def test_R11_decision_on_the_28th_day_is_on_time_on_the_29th_late():
    on_time = only(project(PLAN, MEETING,
                           ev("review_decision_notified", "2025-12-18", outcome="maintain")),
                   "review_decision_due")
    late = only(project(PLAN, MEETING,
                        ev("review_decision_notified", "2025-12-19", outcome="maintain")),
                "review_decision_due")
    assert status(on_time, "2026-01-05") is Status.MET_ON_TIME
    assert status(late, "2026-01-05") is Status.MET_LATE


def test_R12a_amendment_notice_due_with_the_decision_4_weeks_after_the_meeting():
    """Devon: the proposed amendments must accompany the reg 20(10) decision."""
    d = only(project(PLAN, MEETING), "amendment_notice_due")
    assert (d.rule, d.due) == ("R12a", D("2025-12-18"))
    met = only(project(PLAN, MEETING, ev("review_decision_notified", "2025-12-18",
                                         outcome="amend"),
                       ev("amendment_notice_served", "2025-12-18")), "amendment_notice_due")
    assert status(met, "2025-12-19") is Status.MET_ON_TIME


@pytest.mark.parametrize("outcome", ["maintain", "cease"])
def test_R12a_R12c_no_amendment_clocks_breach_when_the_decision_is_not_to_amend(outcome):
    ds = project(PLAN, MEETING, ev("review_decision_notified", "2025-12-10", outcome=outcome))
    for d in ds:
        if d.key in ("amendment_notice_due", "amended_plan_devon_backstop"):
            assert status(d, "2026-06-01") is not Status.BREACHED


# --- R12b: at least 15 days for representations, beginning with service (T3, R29) -------


def test_R12b_amendment_notice_emailed_wed_10_dec_2025_window_ends_wed_24_dec():
    d = only(project(PLAN, MEETING, ev("amendment_notice_served", "2025-12-10",
                                       method="email")), "amendment_representations_end")
    assert (d.rule, d.kind, d.nominal) == ("R12b", "window", D("2025-12-24"))


def test_R12b_amendment_notice_posted_first_class_window_runs_from_deemed_service():
    # Posted Wed 10 Dec 2025: Thu 11 (1), Fri 12 (2) -> served Fri 12 Dec; window to Fri 26.
    d = only(project(PLAN, MEETING, ev("amendment_notice_served", "2025-12-10",
                                       method="first_class_post")),
             "amendment_representations_end")
    assert d.nominal == D("2025-12-26")


def test_R12b_amended_plan_issued_inside_the_15_day_window_breaches_it():
    ds = project(PLAN, MEETING, ev("amendment_notice_served", "2025-12-10"),
                 ev("amended_plan_issued", "2025-12-24"))
    assert status(only(ds, "amendment_representations_end"), "2025-12-24") is Status.BREACHED


# --- R12c: final amended plan = min(A + 8 weeks, M + 12 weeks) (A8, Devon) ----------------


def test_R12c_on_time_notice_amended_plan_due_8_weeks_after_sending():
    # M Thu 20 Nov 2025, A Wed 10 Dec 2025: A + 56 = Wed 4 Feb 2026; M + 84 = Thu 12 Feb 2026.
    ds = project(PLAN, MEETING, ev("review_decision_notified", "2025-12-10", outcome="amend"),
                 ev("amendment_notice_served", "2025-12-10"))
    assert only(ds, "amended_plan_reg22_due").due == D("2026-02-04")
    assert only(ds, "amended_plan_devon_backstop").due == D("2026-02-12")
    final = only(ds, "amended_plan_final_due")
    assert (final.rule, final.due) == ("R12c", D("2026-02-04"))


def test_R12c_posted_notice_counts_from_sending_not_deemed_service():
    """§6: reg 22(3) runs 'within 8 weeks of the local authority sending'."""
    ds = project(PLAN, MEETING, ev("amendment_notice_served", "2025-12-10",
                                   method="first_class_post"))
    assert only(ds, "amended_plan_reg22_due").due == D("2026-02-04")
    assert only(ds, "amended_plan_final_due").due == D("2026-02-04")


def test_R12c_notice_on_the_last_day_of_the_4_weeks_makes_both_limits_meet_at_12_weeks():
    ds = project(PLAN, MEETING, ev("amendment_notice_served", "2025-12-18"))
    assert only(ds, "amended_plan_reg22_due").due == D("2026-02-12")
    assert only(ds, "amended_plan_final_due").due == D("2026-02-12")


def test_R12c_late_notice_reports_devon_backstop_breached_and_reg22_date_separately():
    """A8: notice Mon 5 Jan 2026 is after M + 28 (18 Dec). Due = min(A + 56 = 2 Mar 2026,
    M + 84 = 12 Feb 2026) = 12 Feb; with no amended plan, M + 84 is breached on 13 Feb while
    the reg 22(3) date (2 Mar) still runs."""
    ds = project(PLAN, MEETING, ev("review_decision_notified", "2026-01-05", outcome="amend"),
                 ev("amendment_notice_served", "2026-01-05"))
    reg22 = only(ds, "amended_plan_reg22_due")
    backstop = only(ds, "amended_plan_devon_backstop")
    final = only(ds, "amended_plan_final_due")
    assert (reg22.due, backstop.due, final.due) == (D("2026-03-02"), D("2026-02-12"),
                                                   D("2026-02-12"))
    assert status(only(ds, "amendment_notice_due"), "2026-01-05") is Status.MET_LATE
    assert status(backstop, "2026-02-13") is Status.BREACHED
    assert status(final, "2026-02-13") is Status.BREACHED
    assert status(reg22, "2026-02-13") is not Status.BREACHED


def test_R12c_late_notice_amended_plan_within_reg22_is_still_late_against_devon():
    ds = project(PLAN, MEETING, ev("review_decision_notified", "2026-01-05", outcome="amend"),
                 ev("amendment_notice_served", "2026-01-05"),
                 ev("amended_plan_issued", "2026-02-20"))
    assert status(only(ds, "amended_plan_reg22_due"), "2026-03-01") is Status.MET_ON_TIME
    assert status(only(ds, "amended_plan_devon_backstop"), "2026-03-01") is Status.MET_LATE
    assert status(only(ds, "amended_plan_final_due"), "2026-03-01") is Status.MET_LATE


def test_R12c_decision_not_to_amend_after_representations_stops_the_clock():
    """Reg 22(4): notifying a decision not to amend satisfies the 8 weeks."""
    ds = project(PLAN, MEETING, ev("amendment_notice_served", "2025-12-10"),
                 ev("decision_not_to_amend_notified", "2026-01-20"))
    for key in ("amended_plan_reg22_due", "amended_plan_final_due",
                "amended_plan_devon_backstop"):
        assert status(only(ds, key), "2026-03-01") is Status.MET_ON_TIME


# --- R13: phase transfers (reg 18, A6) -----------------------------------------------------


@pytest.mark.parametrize(
    ("from_", "to"),
    [("early_years", "school"), ("infant", "junior"), ("primary", "middle"),
     ("primary", "secondary"), ("middle", "secondary")],
)
def test_R13_transfer_in_sept_2027_last_day_14_february_named_15_february(from_, to):
    ds = project(transfer(from_, to, "2027-09-01"))
    last, named = only(ds, "phase_transfer_last_day"), only(ds, "phase_transfer_named_date")
    assert (last.rule, last.kind, last.due) == ("R13", "limit", D("2027-02-14"))
    assert (named.rule, named.nominal) == ("R13", D("2027-02-15"))


def test_R13_secondary_to_post16_last_day_30_march_named_31_march():
    ds = project(transfer("secondary", "post16_institution", "2026-09-01"))
    assert only(ds, "phase_transfer_last_day").due == D("2026-03-30")
    assert only(ds, "phase_transfer_named_date").nominal == D("2026-03-31")


def test_R13_post16_to_post16_at_another_time_amend_at_least_5_months_before():
    d = only(project(transfer("post16_institution", "post16_institution", "2027-01-05")),
             "post16_transfer_amend_by")
    assert (d.rule, d.due) == ("R13", D("2026-08-05"))


def test_R13_post16_transfer_on_31_july_five_months_before_is_the_end_of_february():
    """T4 backwards: 31 Feb does not exist, so the corresponding date is 28 Feb 2027."""
    d = only(project(transfer("post16_institution", "post16_institution", "2027-07-31")),
             "post16_transfer_amend_by")
    assert d.due == D("2027-02-28")


@pytest.mark.parametrize("to", ["secondary", "middle"])
def test_R13_junior_to_secondary_or_middle_is_a_transfer_from_a_primary_school(to):
    """Reg 2(1)(c)-(d) "primary school to middle/secondary school": a junior school provides
    primary education (Education Act 1996 s.5), so it is a primary school; Year 6 -> 7 from a
    junior school is a phase transfer with the 15 February date, not no date at all."""
    ds = project(transfer("junior", to, "2027-09-01"))
    assert only(ds, "phase_transfer_last_day").due == D("2027-02-14")


def test_R13_a_move_within_the_same_phase_is_not_a_phase_transfer():
    ds = project(transfer("primary", "primary", "2027-09-01"))
    assert not [d for d in ds if d.rule == "R13"]


def test_R13_amended_plan_by_14_february_meets_the_transfer_deadline():
    ds = project(PLAN, ev("review_meeting_held", "2026-11-10"),
                 ev("review_decision_notified", "2026-11-20", outcome="amend"),
                 ev("amendment_notice_served", "2026-11-20"),
                 ev("amended_plan_issued", "2027-01-15"),
                 transfer("primary", "secondary", "2027-09-01"))
    last = only(ds, "phase_transfer_last_day")
    assert last.met_on == D("2027-01-15")
    assert status(last, "2027-03-01") is Status.MET_ON_TIME


def test_R13_amended_plan_on_15_february_is_late():
    """A6: 'before 15 February' - the named day itself is too late."""
    ds = project(PLAN, ev("review_meeting_held", "2026-12-01"),
                 ev("review_decision_notified", "2026-12-20", outcome="amend"),
                 ev("amendment_notice_served", "2026-12-20"),
                 ev("amended_plan_issued", "2027-02-15"),
                 transfer("primary", "secondary", "2027-09-01"))
    last = only(ds, "phase_transfer_last_day")
    assert status(last, "2027-02-15") is Status.MET_LATE
    assert status(last, "2027-02-14") is not Status.MET_LATE


def test_R13_no_amended_plan_by_14_february_is_breached_on_15_february():
    last = only(project(PLAN, transfer("primary", "secondary", "2027-09-01")),
                "phase_transfer_last_day")
    assert status(last, "2027-02-14") is not Status.BREACHED
    assert status(last, "2027-02-15") is Status.BREACHED


@pytest.mark.parametrize(
    ("meeting", "notice", "transfer_day", "last_day"),
    [
        # Tees Law (2025 transfers): meeting by Fri 22 Nov 2024, draft by Fri 20 Dec 2024.
        ("2024-11-22", "2024-12-20", "2025-09-01", "2025-02-14"),
        # §4 R13 example for September 2027: meeting 22 Nov 2026, notice 20 Dec 2026.
        ("2026-11-22", "2026-12-20", "2027-09-01", "2027-02-14"),
    ],
)
def test_R11_R12_R13_latest_meeting_84_and_notice_56_days_before_14_february_line_up(
    meeting, notice, transfer_day, last_day
):
    """Working back from the reg 18 last day with R11/R12: a meeting on last day - 84 and a
    notice on last day - 56 put every review limit exactly on the reg 18 last day."""
    ds = project(ev("final_plan_issued", "2023-01-10"), ev("review_meeting_held", meeting),
                 ev("review_decision_notified", notice, outcome="amend"),
                 ev("amendment_notice_served", notice),
                 transfer("primary", "secondary", transfer_day))
    assert only(ds, "review_decision_due").due == D(notice)
    assert only(ds, "amendment_notice_due").due == D(notice)
    assert only(ds, "amended_plan_reg22_due").due == D(last_day)
    assert only(ds, "amended_plan_devon_backstop").due == D(last_day)
    assert only(ds, "amended_plan_final_due").due == D(last_day)
    assert only(ds, "phase_transfer_last_day").due == D(last_day)


def test_R12b_amended_plan_issued_before_the_posted_notice_is_served_breaches_the_window():
    # Notice posted Wed 10 Dec 2025, deemed served Fri 12 Dec; plan issued Thu 11 Dec.
    ds = project(PLAN, MEETING, ev("amendment_notice_served", "2025-12-10",
                                   method="first_class_post"),
                 ev("amended_plan_issued", "2025-12-11"))
    assert status(only(ds, "amendment_representations_end"), "2026-01-10") is Status.BREACHED


def test_R13_transfer_early_in_the_year_gets_no_15_february_date_after_the_transfer():
    """§4 R13: transfers at other times of year (not post-16 -> post-16) are not governed by
    reg 18 - ordinary review rules apply. A primary -> secondary move on Mon 10 Jan 2028 cannot
    have a 'before 15 February 2028' deadline that falls after the move."""
    ds = project(PLAN, transfer("primary", "secondary", "2028-01-10"))
    assert all(d.nominal <= D("2028-01-10") for d in ds if d.key == "phase_transfer_last_day")
