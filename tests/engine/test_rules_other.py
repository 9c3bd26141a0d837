"""Re-assessment (R14-R16), moving between LAs (R17-R19), mediation and appeal (R21-R26),
Tribunal orders (R27) and unopposed appeals (R28), written from statutory-rules.md.

Expected dates are worked out by hand from the rules file (T1, T4-T6, HESC r.12 as read
in A7) and §7.1's bank holidays; none is copied from program output.
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


def project(*events: dict[str, Any]) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(list(events)), ENGLAND)


def only(deadlines: tuple[Deadline, ...], key: str) -> Deadline:
    found = [d for d in deadlines if d.key == key]
    assert len(found) == 1, f"{key}: {[(d.instance, d.nominal) for d in found]}"
    return found[0]


def status(d: Deadline, day: str) -> Status:
    return status_on(d, D(day), ENGLAND)


PLAN = ev("final_plan_issued", "2024-10-01")


# --- R14-R15: re-assessment ---------------------------------------------------------------


def test_R14_reassessment_decision_due_15_days_after_the_request():
    d = only(project(PLAN, ev("reassessment_request_received", "2025-01-06")),
             "reassessment_decision_due")
    assert (d.rule, d.due) == ("R14", D("2025-01-21"))


def test_R14_reassessment_decision_notified_stops_the_15_days():
    d = only(project(PLAN, ev("reassessment_request_received", "2025-01-06"),
                     ev("reassessment_decision_notified", "2025-01-22", outcome="refuse")),
             "reassessment_decision_due")
    assert status(d, "2025-02-01") is Status.MET_LATE


def test_R15_plan_after_reassessment_due_14_weeks_after_the_reg_25_notification():
    # Tue 21 Jan 2025 + 98 days = Tue 29 Apr 2025.
    ds = project(PLAN, ev("reassessment_request_received", "2025-01-06"),
                 ev("reassessment_decision_notified", "2025-01-21", outcome="reassess"))
    d = only(ds, "reassessment_final_plan_due")
    assert (d.rule, d.due) == ("R15", D("2025-04-29"))


def test_R15_no_14_week_clock_when_the_la_refuses_to_reassess():
    ds = project(PLAN, ev("reassessment_request_received", "2025-01-06"),
                 ev("reassessment_decision_notified", "2025-01-21", outcome="refuse"))
    assert not [d for d in ds if d.key == "reassessment_final_plan_due"]


def test_R15_replacement_plan_issued_meets_the_14_weeks():
    ds = project(PLAN, ev("reassessment_request_received", "2025-01-06"),
                 ev("reassessment_decision_notified", "2025-01-21", outcome="reassess"),
                 ev("draft_plan_served", "2025-03-20"), ev("final_plan_issued", "2025-04-29"))
    assert status(only(ds, "reassessment_final_plan_due"), "2025-05-01") is Status.MET_ON_TIME


def test_R16_no_statutory_time_limit_for_a_decision_to_cease():
    """§4 R16: no statutory limit for the cease decision was found, so none is invented."""
    ds = project(PLAN, ev("review_meeting_held", "2025-09-10"),
                 ev("review_decision_notified", "2025-10-01", outcome="cease"))
    assert not [d for d in ds if d.rule == "R16"]
    assert not [d for d in ds if "cease" in d.key]


# --- R17-R19: transfer of a plan between LAs (reg 15) --------------------------------------


@pytest.mark.parametrize(
    ("aware", "move", "due"),
    [
        # T6 example: 15 working days beginning Mon 15 Dec 2025 (skipping 25, 26 Dec, 1 Jan)
        # end Wed 7 Jan 2026; the move on Fri 2 Jan is less than 15 working days away.
        ("2025-12-15", "2026-01-02", "2026-01-07"),
        # Aware on Sat 13 Dec: the period begins that day, its first working day is Mon 15.
        ("2025-12-13", "2026-01-02", "2026-01-07"),
        # Mon 12 Jan 2026 is exactly the 15th working day before Mon 2 Feb: on the day.
        ("2026-01-12", "2026-02-02", "2026-02-02"),
        # Wed 14 Jan is too late: 15 working days beginning 14 Jan end Tue 3 Feb.
        ("2026-01-14", "2026-02-02", "2026-02-03"),
        # Known months ahead: the day of the move.
        ("2025-10-01", "2026-01-05", "2026-01-05"),
        # Learnt only after the move (Tue 10 Feb): 15 working days end Mon 2 Mar 2026.
        ("2026-02-10", "2026-02-02", "2026-03-02"),
    ],
)
def test_R17_plan_transfer_due_on_the_move_or_15_working_days_from_late_awareness(
    aware, move, due
):
    d = only(project(ev("move_notified_to_old_la", aware, move_date=move)), "plan_transfer_due")
    assert (d.rule, d.due) == ("R17", D(due))


def test_R17_plan_transferred_on_the_last_working_day_is_on_time():
    ds = project(ev("move_notified_to_old_la", "2025-12-15", move_date="2026-01-02"),
                 ev("plan_transferred", "2026-01-07", move_date="2026-01-02"))
    assert status(only(ds, "plan_transfer_due"), "2026-01-08") is Status.MET_ON_TIME


def test_R18_new_la_notification_due_6_weeks_after_the_transfer():
    ds = project(ev("plan_transferred", "2026-01-05"))
    d = only(ds, "new_la_notification_due")
    assert (d.rule, d.due) == ("R18", D("2026-02-16"))
    met = only(project(ev("plan_transferred", "2026-01-05"), ev("new_la_notified", "2026-02-16")),
               "new_la_notification_due")
    assert status(met, "2026-02-17") is Status.MET_ON_TIME


@pytest.mark.parametrize(
    ("anchor", "due"),
    [
        # 12 months beginning 1 Mar 2025 end 28 Feb 2026; 3 months beginning Mon 5 Jan 2026
        # end Sat 4 Apr 2026: the later is 4 Apr.
        (ev("plan_last_reviewed", "2025-03-01"), "2026-04-04"),
        # 12 months beginning 1 Dec 2025 end 30 Nov 2026, later than 4 Apr 2026.
        (ev("plan_last_reviewed", "2025-12-01"), "2026-11-30"),
        (ev("final_plan_issued", "2025-01-10"), "2026-04-04"),
    ],
)
def test_R19_first_review_by_new_la_later_of_12_months_and_3_months_from_transfer(anchor, due):
    d = only(project(anchor, ev("plan_transferred", "2026-01-05")),
             "transferred_plan_review_due")
    assert (d.rule, d.due) == ("R19", D(due))


# --- R21-R25: mediation ---------------------------------------------------------------------


def letter(day: str, decision: str = "refuse_to_assess") -> dict[str, Any]:
    return ev("decision_letter_sent", day, decision=decision)


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        ("2025-01-31", "2025-03-31"),  # T4: 31 Jan + 2 months = 31 Mar
        ("2024-12-31", "2025-02-28"),  # no 31 Feb: the last day of February
        ("2027-12-30", "2028-02-29"),  # leap year: 29 Feb 2028
        ("2025-06-15", "2025-08-15"),  # a SEND Regs period: August is NOT skipped (T8)
    ],
)
def test_R21_mediation_adviser_contact_due_2_months_after_the_letter_was_sent(sent, due):
    d = only(project(letter(sent)), "mediation_adviser_contact_due")
    assert (d.rule, d.due, d.actor) == ("R21", D(due), "parent")


def test_R21_contacting_the_adviser_stops_the_2_months():
    ds = project(letter("2025-01-31"), ev("mediation_requested", "2025-03-10"))
    assert status(only(ds, "mediation_adviser_contact_due"), "2025-04-10") is (
        Status.MET_ON_TIME)


def test_R22_certificate_due_3_working_days_after_mediation_declined():
    # Thu 17 Apr 2025: Good Friday, weekend, Easter Monday -> Tue 22 (1), Wed 23 (2), Thu 24 (3).
    d = only(project(letter("2025-03-01"), ev("mediation_declined", "2025-04-17")),
             "mediation_certificate_due")
    assert (d.rule, d.due, d.actor) == ("R22", D("2025-04-24"), "mediation_adviser")


def test_R23_mediation_must_take_place_within_30_days_of_the_request():
    d = only(project(letter("2025-02-01"), ev("mediation_requested", "2025-03-01")),
             "mediation_must_take_place_by")
    assert (d.rule, d.due) == ("R23", D("2025-03-31"))


def test_R24_certificate_due_3_working_days_after_mediation_concludes():
    # Tue 23 Dec 2025: Wed 24 (1), Christmas, Boxing Day, weekend, Mon 29 (2), Tue 30 (3).
    ds = project(letter("2025-11-01"), ev("mediation_requested", "2025-11-20"),
                 ev("mediation_concluded", "2025-12-23"))
    d = only(ds, "mediation_certificate_due")
    assert (d.rule, d.due) == ("R24", D("2025-12-30"))


def test_R25_agreed_action_due_2_weeks_after_agreement_or_1_week_for_commissioning_body():
    base = (letter("2025-01-10"), ev("mediation_requested", "2025-02-01"))
    la = only(project(*base, ev("mediation_agreement", "2025-03-10")),
              "mediation_agreed_action_due")
    body = only(project(*base, ev("mediation_agreement", "2025-03-10",
                                  by_commissioning_body=True)), "mediation_agreed_action_due")
    assert (la.rule, la.due) == ("R25", D("2025-03-24"))
    assert (body.rule, body.due) == ("R25", D("2025-03-17"))


# --- R26: appeal to the First-tier Tribunal (HESC r.20, r.12; A7) --------------------------


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        ("2025-01-31", "2025-03-31"),  # T4: Mon 31 Mar 2025, a working day
        ("2025-07-31", "2025-09-30"),  # T4: 31 Sep does not exist -> Tue 30 Sep
        # Ends in August -> the first working day of September.
        ("2025-06-15", "2025-09-01"),  # Fri 15 Aug 2025 -> Mon 1 Sep 2025
        ("2024-06-20", "2024-09-02"),  # 1 Sep 2024 is a Sunday -> Mon 2 Sep
        ("2029-06-05", "2029-09-03"),  # 1 Sep 2029 is a Saturday -> Mon 3 Sep
        ("2027-06-30", "2027-09-01"),  # Mon 30 Aug 2027 (bank holiday, in August) -> Wed 1 Sep
        # Ends 25 Dec - 1 Jan -> the next working day in January.
        ("2025-10-27", "2026-01-02"),  # Sat 27 Dec 2025; Thu 1 Jan 2026 bank holiday -> Fri 2 Jan
        ("2026-10-25", "2027-01-04"),  # Fri 25 Dec 2026; Fri 1 Jan 2027 bank holiday -> Mon 4 Jan
        ("2027-11-01", "2028-01-04"),  # Sat 1 Jan 2028; Mon 3 Jan substitute day -> Tue 4 Jan
        ("2025-10-24", "2025-12-24"),  # Wed 24 Dec 2025 is outside 25 Dec - 1 Jan: kept
        # Any other non-working day -> the next working day (r.12(2)).
        ("2025-02-05", "2025-04-07"),  # Sat 5 Apr 2025 -> Mon 7 Apr
        ("2025-02-18", "2025-04-22"),  # Good Friday 18 Apr 2025 -> Tue 22 Apr (Easter Monday)
    ],
)
def test_R26_appeal_deadline_2_months_after_the_letter_rolled_forward_by_rule_12(sent, due):
    d = only(project(letter(sent)), "appeal_deadline")
    assert (d.rule, d.due, d.actor) == ("R26", D(due), "parent")


def test_R26_certificate_plus_1_month_when_later_than_letter_plus_2_months():
    # Certificate Thu 20 Mar 2025 + 1 month = Easter Sunday 20 Apr; Easter Monday -> Tue 22 Apr.
    ds = project(letter("2025-01-31"), ev("mediation_requested", "2025-02-10"),
                 ev("mediation_concluded", "2025-03-15"),
                 ev("mediation_certificate_issued", "2025-03-20"))
    assert only(ds, "appeal_deadline").due == D("2025-04-22")


def test_R26_certificate_plus_1_month_earlier_than_letter_plus_2_months_is_ignored():
    ds = project(letter("2025-01-31"), ev("mediation_declined", "2025-02-03"),
                 ev("mediation_certificate_issued", "2025-02-05"))
    assert only(ds, "appeal_deadline").due == D("2025-03-31")


def test_R26_certificate_31_january_2028_plus_1_month_is_29_february_2028():
    """T4: 31 Jan 2028 + 1 month = 29 Feb 2028 (a Tuesday), later than 15 Feb 2028."""
    ds = project(letter("2027-12-15"), ev("mediation_requested", "2027-12-20"),
                 ev("mediation_certificate_issued", "2028-01-31"))
    assert only(ds, "appeal_deadline").due == D("2028-02-29")


def test_R26_certificate_plus_1_month_in_august_rolls_to_september():
    ds = project(letter("2025-05-01"), ev("mediation_requested", "2025-05-20"),
                 ev("mediation_certificate_issued", "2025-07-10"))
    assert only(ds, "appeal_deadline").due == D("2025-09-01")


def test_R26_appeal_registered_on_the_rolled_forward_day_is_in_time():
    ds = project(letter("2025-06-15"), ev("appeal_registered", "2025-09-01"))
    assert status(only(ds, "appeal_deadline"), "2025-09-02") is Status.MET_ON_TIME


# --- R27: complying with a Tribunal order (reg 44(2)) ------------------------------------


REFUSED_AND_APPEALED = (
    ev("request_received", "2025-01-06"),
    ev("decision_to_assess_notified", "2025-02-14", outcome="refuse"),
    letter("2025-02-14"),
    ev("appeal_registered", "2025-04-10"),
)


def test_R27_order_to_assess_notify_2_weeks_not_necessary_10_weeks_final_plan_14_weeks():
    """Mon 2 Jun 2025 + 14 / 70 / 98 days; Mon 11 Aug is in August but reg 44 is a SEND Regs
    period, so it is not rolled forward (T8: only Tribunal rule 12 moves a deadline)."""
    ds = project(*REFUSED_AND_APPEALED, ev("tribunal_order", "2025-06-02", order="assess"))
    assert only(ds, "tribunal_notify_due").due == D("2025-06-16")
    assert only(ds, "tribunal_decision_not_necessary_due").due == D("2025-08-11")
    assert only(ds, "tribunal_final_plan_due").due == D("2025-09-08")
    assert {d.rule for d in ds if d.key.startswith("tribunal_")} == {"R27"}


def test_R27_order_to_make_and_maintain_draft_5_weeks_final_11_weeks():
    ds = project(ev("request_received", "2025-01-06"),
                 ev("decision_to_assess_notified", "2025-02-14", outcome="assess"),
                 ev("decision_not_to_issue_notified", "2025-04-20"),
                 letter("2025-04-20", "refuse_to_issue"), ev("appeal_registered", "2025-05-01"),
                 ev("tribunal_order", "2025-06-02", order="make_and_maintain_plan"))
    assert only(ds, "tribunal_draft_plan_due").due == D("2025-07-07")
    assert only(ds, "tribunal_final_plan_due").due == D("2025-08-18")  # in August, not moved


def test_R27_order_to_amend_the_plan_amended_plan_within_5_weeks():
    ds = project(PLAN, letter("2025-03-01", "final_plan_contents"),
                 ev("appeal_registered", "2025-04-01"),
                 ev("tribunal_order", "2025-06-02", order="amend_plan"))
    assert only(ds, "tribunal_amended_plan_due").due == D("2025-07-07")


def test_R27_complying_with_the_order_meets_the_clock():
    ds = project(*REFUSED_AND_APPEALED, ev("tribunal_order", "2025-06-02", order="assess"),
                 ev("tribunal_order_complied", "2025-06-16", step="notify"))
    assert status(only(ds, "tribunal_notify_due"), "2025-06-17") is Status.MET_ON_TIME
    assert status(only(ds, "tribunal_final_plan_due"), "2025-06-17") is Status.PENDING


# --- R28: unopposed appeals (reg 45 as substituted by SI 2015/359) -------------------------


def test_R28_unopposed_refusal_to_assess_notify_2_weeks_decision_10_weeks_plan_14_weeks():
    ds = project(*REFUSED_AND_APPEALED,
                 ev("unopposed_appeal_notified", "2025-06-02", appeal="refuse_to_assess"))
    assert only(ds, "unopposed_notify_due").due == D("2025-06-16")
    assert only(ds, "unopposed_decision_not_necessary_due").due == D("2025-08-11")
    assert only(ds, "unopposed_final_plan_due").due == D("2025-09-08")
    assert {d.rule for d in ds if d.key.startswith("unopposed_")} == {"R28"}


def test_R28_unopposed_contents_appeal_amended_plan_within_5_weeks():
    ds = project(PLAN, letter("2025-03-01", "final_plan_contents"),
                 ev("appeal_registered", "2025-04-01"),
                 ev("unopposed_appeal_notified", "2025-06-02", appeal="contents"))
    assert only(ds, "unopposed_amended_plan_due").due == D("2025-07-07")


def test_R28_unopposed_cease_appeal_amended_plan_within_5_weeks():
    ds = project(PLAN, ev("review_meeting_held", "2025-01-10"),
                 ev("review_decision_notified", "2025-02-01", outcome="cease"),
                 letter("2025-02-01", "cease_to_maintain"), ev("appeal_registered", "2025-03-01"),
                 ev("unopposed_appeal_notified", "2025-06-02", appeal="cease"))
    d = only(ds, "unopposed_amended_plan_due")
    assert d.due == D("2025-07-07")
    assert status(d, "2025-07-08") is Status.BREACHED


def test_R21_R26_posted_decision_letter_counts_from_sending_not_deemed_receipt():
    """§6 and R26: the trigger is the date the LA sent the notice, not deemed receipt."""
    ds = project(ev("decision_letter_sent", "2025-01-31", decision="refuse_to_assess",
                    method="second_class_post"))
    assert only(ds, "mediation_adviser_contact_due").due == D("2025-03-31")
    assert only(ds, "appeal_deadline").due == D("2025-03-31")


def test_R19_displaces_the_pre_transfer_annual_review_date():
    """Reg 15(5): the new LA must review before the later of 12 months from the last review
    (Sat 28 Feb 2026) and 3 months beginning with the transfer (Sat 4 Apr 2026); on Sun 1 Mar
    2026 no review limit of this plan is breached."""
    ds = project(ev("plan_last_reviewed", "2025-03-01"), ev("plan_transferred", "2026-01-05"))
    assert only(ds, "transferred_plan_review_due").due == D("2026-04-04")
    for d in ds:
        if d.key in ("annual_review_due", "transferred_plan_review_due"):
            assert status(d, "2026-03-01") is not Status.BREACHED, d.key
