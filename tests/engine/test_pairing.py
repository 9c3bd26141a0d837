"""Pairing on cases with more than one decision (issue 8): a mediation certificate extends
only the appeal of the decision that was mediated (R21, R26); an amendment notice belongs
to the review that decided to amend, or to the order that required it (R12c, A8); a review
meeting held without a schedule still has its notice dates (R09).

Dates are worked out by hand from statutory-rules.md (T1, T4, HESC r.12 as read in A7,
§7.1's bank holidays); none is copied from program output.
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


def warnings(*events: dict[str, Any]) -> list[str]:
    from engine.deadlines import project_case  # new in issue 8

    return [w.message for w in project_case(parse_events(list(events)), ENGLAND).warnings]


def by_trigger(deadlines: tuple[Deadline, ...], key: str) -> dict[dt.date, Deadline]:
    return {d.trigger_date: d for d in deadlines if d.key == key}


REFUSAL = ev("decision_letter_sent", "2025-01-10", decision="refuse_to_assess", id="refusal")
PLAN_LETTER = ev("decision_letter_sent", "2025-10-01", decision="final_plan_contents",
                 id="plan")
MEDIATED = (
    ev("mediation_requested", "2025-11-17", issues=["education"]),
    ev("mediation_concluded", "2025-12-08"),
    ev("mediation_certificate_issued", "2025-12-10"),
)


# --- R26 / R21: a certificate belongs to the mediation it ends, and that to its letter -----


def test_R26_a_certificate_about_the_october_plan_does_not_move_the_january_refusal_appeal():
    appeals = by_trigger(project(REFUSAL, PLAN_LETTER, *MEDIATED), "appeal_deadline")
    # Refusal sent Fri 10 Jan 2025 + 2 months = Mon 10 Mar 2025 (a working day, not August).
    assert appeals[D("2025-01-10")].nominal == D("2025-03-10")
    # Plan letter Wed 1 Oct + 2 months = Mon 1 Dec; certificate Wed 10 Dec + 1 month =
    # Sat 10 Jan 2026 (later), not a working day -> Mon 12 Jan 2026 (r.12).
    assert appeals[D("2025-10-01")].nominal == D("2026-01-12")


def test_R26_mediation_requested_more_than_two_months_after_every_letter_extends_nothing():
    # Refusal Fri 10 Jan 2025; R21's two months end Mon 10 Mar; mediation asked Mon 14 Apr.
    events = (REFUSAL, ev("mediation_requested", "2025-04-14"),
              ev("mediation_certificate_issued", "2025-05-20"))
    appeal = by_trigger(project(*events), "appeal_deadline")[D("2025-01-10")]
    assert appeal.nominal == D("2025-03-10")
    assert any("more than two months after the last decision letter" in w
               for w in warnings(*events))


def test_R26_the_mediation_names_its_decision_letter_explicitly():
    # Two letters within two months: refusal to assess Fri 10 Jan, a second decision Mon 3 Feb
    # 2025. The mediation on Thu 20 Feb names the first, so its certificate (Mon 24 Mar + 1
    # month = Thu 24 Apr 2025) extends the first letter's appeal, not the second's
    # (3 Feb + 2 months = Thu 3 Apr 2025).
    second = ev("decision_letter_sent", "2025-02-03", decision="refuse_to_issue", id="second")
    ds = project(REFUSAL, second,
                 ev("mediation_requested", "2025-02-20", decision_letter="refusal"),
                 ev("mediation_concluded", "2025-03-20"),
                 ev("mediation_certificate_issued", "2025-03-24"))
    appeals = by_trigger(ds, "appeal_deadline")
    assert appeals[D("2025-01-10")].nominal == D("2025-04-24")
    assert appeals[D("2025-02-03")].nominal == D("2025-04-03")


def test_R21_a_mediation_about_one_letter_does_not_use_up_another_letters_window():
    second = ev("decision_letter_sent", "2025-02-03", decision="refuse_to_issue", id="second")
    ds = project(REFUSAL, second,
                 ev("mediation_requested", "2025-02-20", decision_letter="second"))
    windows = by_trigger(ds, "mediation_adviser_contact_due")
    assert windows[D("2025-02-03")].met_on == D("2025-02-20")
    assert windows[D("2025-01-10")].met_on is None  # its window runs to Mon 10 Mar 2025


def test_R21_R26_an_ambiguous_pairing_takes_the_latest_letter_and_says_so():
    second = ev("decision_letter_sent", "2025-02-03", decision="refuse_to_issue", id="second")
    events = (REFUSAL, second, ev("mediation_requested", "2025-02-20"),
              ev("mediation_certificate_issued", "2025-03-24"))
    appeals = by_trigger(project(*events), "appeal_deadline")
    # Unnamed: the latest letter within two months (3 Feb): 24 Mar + 1 month = Thu 24 Apr.
    assert appeals[D("2025-02-03")].nominal == D("2025-04-24")
    assert appeals[D("2025-01-10")].nominal == D("2025-03-10")
    assert any("could be about more than one decision letter" in w and "decision_letter" in w
               for w in warnings(*events))


def test_R26_a_decision_letter_named_but_not_on_file_is_refused_at_that_event():
    from engine.errors import InvalidHistory

    with pytest.raises(InvalidHistory, match="no decision_letter_sent on file") as caught:
        project(REFUSAL, ev("mediation_requested", "2025-02-20", decision_letter="nope"))
    assert caught.value.index == 1


# --- R12c / A8: the notice belongs to the review that decided to amend -------------------

PLAN = ev("final_plan_issued", "2024-03-15")
MAINTAINED = (ev("review_meeting_held", "2025-03-03"),
              ev("review_decision_notified", "2025-03-28", outcome="maintain"))


def only(deadlines: tuple[Deadline, ...], key: str) -> Deadline:
    found = [d for d in deadlines if d.key == key]
    assert len(found) == 1, f"{key}: {[(d.instance, d.nominal) for d in found]}"
    return found[0]


def test_R12c_a_notice_months_after_a_maintain_review_has_only_its_reg22_date():
    # Notice Mon 8 Sep 2025 + 56 days = Mon 3 Nov 2025; the March meeting decided to
    # maintain, so its 12 weeks (Mon 26 May 2025) are not this amendment's.
    ds = project(PLAN, *MAINTAINED, ev("amendment_notice_served", "2025-09-08"),
                 ev("amended_plan_issued", "2025-10-20"))
    final = only(ds, "amended_plan_final_due")
    assert final.due == D("2025-11-03")
    assert status_on(final, D("2025-12-01"), ENGLAND) is Status.MET_ON_TIME
    assert "no review on file decided this amendment" in final.explanation


def test_R12c_a_notice_after_a_tribunal_amend_order_runs_on_reg22_and_the_orders_weeks():
    ds = project(PLAN, *MAINTAINED,
                 ev("decision_letter_sent", "2025-03-28", decision="final_plan_contents"),
                 ev("appeal_registered", "2025-05-20"),
                 ev("tribunal_order", "2025-09-01", order="amend_plan"),
                 ev("amendment_notice_served", "2025-09-15"))
    # Notice Mon 15 Sep + 56 = Mon 10 Nov 2025; the order Mon 1 Sep + 35 = Mon 6 Oct.
    assert only(ds, "amended_plan_final_due").due == D("2025-11-10")
    assert only(ds, "tribunal_amended_plan_due").due == D("2025-10-06")
    assert "tribunal order" in only(ds, "amended_plan_final_due").explanation


def test_R12c_a_second_amendment_after_the_first_was_finished_is_not_the_reviews():
    # Meeting Mon 3 Mar 2025 decided to amend; notice Mon 31 Mar, plan Mon 12 May. A new
    # notice Mon 1 Sep 2025 + 56 = Mon 27 Oct 2025 (not the meeting's 26 May).
    ds = project(PLAN, ev("review_meeting_held", "2025-03-03"),
                 ev("review_decision_notified", "2025-03-31", outcome="amend"),
                 ev("amendment_notice_served", "2025-03-31"),
                 ev("amended_plan_issued", "2025-05-12"),
                 ev("amendment_notice_served", "2025-09-01"))
    finals = by_trigger(ds, "amended_plan_final_due")
    assert finals[D("2025-03-31")].due == D("2025-05-26")  # min(26 May, 26 May): Devon
    assert finals[D("2025-09-01")].due == D("2025-10-27")


def test_R12c_the_review_that_decided_to_amend_still_gives_the_devon_date():
    # Meeting Mon 3 Mar 2025 (amend), notice Mon 7 Apr: min(2 Jun, M + 84 = 26 May).
    ds = project(PLAN, ev("review_meeting_held", "2025-03-03"),
                 ev("review_decision_notified", "2025-03-28", outcome="amend"),
                 ev("amendment_notice_served", "2025-04-07"))
    assert only(ds, "amended_plan_final_due").due == D("2025-05-26")


# --- R09: a meeting held without a schedule event -----------------------------------------


def test_R09_a_meeting_recorded_without_a_schedule_reports_its_notice_dates_from_the_meeting():
    # Meeting Mon 3 Mar 2025: latest notice and circulation Mon 17 Feb (A11). Invitations
    # went Mon 10 Feb (in time); the advice Thu 20 Feb (3 days late).
    ds = project(PLAN, ev("review_invitations_sent", "2025-02-10"),
                 ev("review_advice_circulated", "2025-02-20"),
                 ev("review_meeting_held", "2025-03-03"))
    invitation = only(ds, "review_invitation_latest")
    advice = only(ds, "review_advice_circulation_latest")
    assert (invitation.due, invitation.met_on) == (D("2025-02-17"), D("2025-02-10"))
    assert status_on(invitation, D("2025-04-01"), ENGLAND) is Status.MET_ON_TIME
    assert (advice.due, advice.met_on) == (D("2025-02-17"), D("2025-02-20"))
    assert status_on(advice, D("2025-04-01"), ENGLAND) is Status.MET_LATE


def test_R09_notices_before_the_previous_meeting_do_not_count_for_the_next_one():
    # Invitations for the 2024 meeting (Mon 4 Mar 2024) say nothing about 2025's.
    ds = project(ev("final_plan_issued", "2023-03-10"),
                 ev("review_invitations_sent", "2024-02-12"),
                 ev("review_meeting_held", "2024-03-04"),
                 ev("review_decision_notified", "2024-03-25", outcome="maintain"),
                 ev("review_meeting_held", "2025-03-03"))
    latest = by_trigger(ds, "review_invitation_latest")
    assert latest[D("2024-03-04")].met_on == D("2024-02-12")
    assert latest[D("2025-03-03")].met_on is None
    assert status_on(latest[D("2025-03-03")], D("2025-03-03"), ENGLAND) is Status.BREACHED


def test_R09_no_notice_on_file_is_reported_and_warned_not_silently_dropped():
    events = (PLAN, ev("review_meeting_held", "2025-03-03"))
    latest = only(project(*events), "review_invitation_latest")
    assert latest.due == D("2025-02-17")
    assert any("no review_invitations_sent is on file" in w for w in latest.warnings)
    assert any("no review_invitations_sent is on file" in w for w in warnings(*events))


def test_R09_a_scheduled_meeting_is_reported_once_from_its_schedule():
    ds = project(PLAN, ev("review_meeting_scheduled", "2025-01-20", meeting_date="2025-03-03"),
                 ev("review_invitations_sent", "2025-02-10"),
                 ev("review_meeting_held", "2025-03-03"))
    latest = only(ds, "review_invitation_latest")
    assert (latest.trigger, latest.due) == ("review_meeting_scheduled", D("2025-02-17"))


def test_R09_dates_judged_after_the_meeting_are_facts_of_record_never_chased():
    """A meeting already held cannot be given notice any more: its R09 dates are reported
    and judged, but the nightly sweep escalates nothing for them (an imported caseload
    would otherwise send a breach notice for every past meeting)."""
    from engine.escalation import CaseDeadline, decide_escalations

    held = only(project(PLAN, ev("review_meeting_held", "2025-03-03")),
                "review_invitation_latest")
    scheduled = only(project(PLAN, ev("review_meeting_scheduled", "2025-01-20",
                                      meeting_date="2025-03-03")), "review_invitation_latest")
    night = D("2025-03-20")
    assert status_on(held, night, ENGLAND) is Status.BREACHED
    assert not held.escalates
    assert decide_escalations([CaseDeadline("EHC-1", held)], night, ENGLAND) == []
    assert decide_escalations([CaseDeadline("EHC-1", scheduled)], night, ENGLAND)
