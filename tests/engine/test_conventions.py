"""Counting conventions T1-T10 (statutory-rules.md §2) through ``project_deadlines``.

Every expected date is counted by hand from the convention's text and its worked example;
weekdays and bank holidays are those of §7.1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from freezegun import freeze_time

from calendars import EnglandCalendar, load_calendar, parse_calendar_data
from engine.deadlines import project_deadlines
from engine.errors import InvalidEvent
from engine.events import parse_event, parse_events
from engine.report import report
from engine.status import Deadline, Status, status_on

D = dt.date.fromisoformat
ENGLAND = load_calendar()
STAFFORDSHIRE = load_calendar("E10000028")


def ev(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": day, **fields}


def project(*events: dict[str, Any], calendar: Any = ENGLAND) -> tuple[Deadline, ...]:
    return project_deadlines(parse_events(list(events)), calendar)


def due(deadlines: tuple[Deadline, ...], key: str) -> dt.date:
    [found] = [d for d in deadlines if d.key == key]
    assert found.nominal == found.due
    return found.nominal


# --- T1: "within N weeks of [event]" = event + 7N, the event day not counted ---------------


def test_T1_request_mon_6_jan_2025_6_weeks_is_mon_17_feb_and_20_weeks_mon_26_may():
    ds = project(ev("request_received", "2025-01-06"))
    assert due(ds, "decision_to_assess_due") == D("2025-02-17")
    assert due(ds, "final_plan_due") == D("2025-05-26")


def test_T1_A1_the_receipt_day_is_not_day_1_so_20_weeks_is_day_140_not_139():
    """A1: request + 7N; the 'Day 1' SEN2 reading (26 May - 1 = 25 May) is not used."""
    ds = project(ev("request_received", "2025-01-06"))
    assert (due(ds, "final_plan_due") - D("2025-01-06")).days == 140


# --- T2: a week is seven consecutive calendar days -----------------------------------------


@pytest.mark.parametrize("calendar", [ENGLAND, STAFFORDSHIRE], ids=["england", "staffordshire"])
def test_T2_six_weeks_over_christmas_are_42_calendar_days_not_school_or_working_weeks(
    calendar,
):
    # Fri 19 Dec 2025 + 42 = Fri 30 Jan 2026, across 3 bank holidays and the school holiday.
    ds = project(ev("request_received", "2025-12-19"), calendar=calendar)
    assert due(ds, "decision_to_assess_due") == D("2026-01-30")


# --- T3: "at least 15 days, beginning with the day ... served" = served + 14 ---------------


@pytest.mark.parametrize(
    ("served", "window_end"),
    [
        ("2025-02-17", "2025-03-03"),  # the §2 example
        ("2028-02-15", "2028-02-29"),  # leap year: Tue 15 Feb 2028 is day 1, day 15 is 29 Feb
        ("2027-02-16", "2027-03-02"),  # no 29 Feb in 2027
    ],
)
def test_T3_draft_window_is_15_calendar_days_inclusive_of_the_day_served(served, window_end):
    ds = project(ev("draft_plan_served", served))
    assert due(ds, "draft_representations_end") == D(window_end)


def test_T3_amendment_window_counts_the_same_way():
    ds = project(ev("amendment_notice_served", "2025-02-17"))
    assert due(ds, "amendment_representations_end") == D("2025-03-03")


def test_T3_the_la_may_finalise_on_served_plus_15_but_not_before():
    early = project(ev("draft_plan_served", "2025-02-17"), ev("final_plan_issued", "2025-03-03"))
    ok = project(ev("draft_plan_served", "2025-02-17"), ev("final_plan_issued", "2025-03-04"))
    [w_early] = [d for d in early if d.key == "draft_representations_end"]
    [w_ok] = [d for d in ok if d.key == "draft_representations_end"]
    assert status_on(w_early, D("2025-03-10"), ENGLAND) is Status.BREACHED
    assert status_on(w_ok, D("2025-03-10"), ENGLAND) is Status.MET_ON_TIME


# --- T4: months are calendar months; a missing day is that month's last day ----------------


@pytest.mark.parametrize(
    ("sent", "contact_by"),
    [
        ("2025-01-31", "2025-03-31"),  # the §2 example: 31 Jan + 2 months = 31 Mar
        ("2025-04-30", "2025-06-30"),
        ("2024-12-31", "2025-02-28"),  # no 31 Feb
        ("2027-12-31", "2028-02-29"),  # leap year
        ("2025-10-31", "2025-12-31"),  # reg 33 is not a Tribunal period: not rolled (T8)
    ],
)
def test_T4_two_months_after_the_letter_is_the_corresponding_date_or_month_end(sent, contact_by):
    ds = project(ev("decision_letter_sent", sent, decision="refuse_to_assess"))
    assert due(ds, "mediation_adviser_contact_due") == D(contact_by)


@pytest.mark.parametrize(
    ("letter", "certificate", "appeal_by"),
    [
        # §2 example: 31 Jan 2028 + 1 month = Tue 29 Feb 2028 (later than 15 Feb 2028).
        ("2027-12-15", "2028-01-31", "2028-02-29"),
        # 31 Jan 2029 + 1 month = Wed 28 Feb 2029 (later than 1 Feb 2029).
        ("2028-12-01", "2029-01-31", "2029-02-28"),
    ],
)
def test_T4_one_month_after_31_january_is_the_end_of_february(letter, certificate, appeal_by):
    ds = project(ev("decision_letter_sent", letter, decision="refuse_to_issue"),
                 ev("mediation_declined", letter),
                 ev("mediation_certificate_issued", certificate))
    assert due(ds, "appeal_deadline") == D(appeal_by)


# --- T5: "the period of 12 months starting with [date]" ends the day before ----------------


def test_T5_review_from_15_march_2025_due_14_march_2026_not_the_anniversary():
    ds = project(ev("final_plan_issued", "2025-03-15"))
    assert due(ds, "annual_review_due") == D("2026-03-14")


def test_T5_review_from_29_february_2028_due_28_february_2029():
    ds = project(ev("final_plan_issued", "2028-02-29"))
    assert due(ds, "annual_review_due") == D("2029-02-28")


def test_T5_review_from_1_march_2027_due_29_february_2028():
    ds = project(ev("final_plan_issued", "2027-03-01"))
    assert due(ds, "annual_review_due") == D("2028-02-29")


@pytest.mark.parametrize(
    ("anchor", "review_by"),
    [
        ("2028-03-01", "2029-02-28"),  # 1 Mar 2029 - 1
        ("2024-02-29", "2025-02-28"),  # 29 Feb 2025 missing -> 1 Mar 2025 - 1
        ("2025-01-01", "2025-12-31"),
        ("2025-12-31", "2026-12-30"),
    ],
)
def test_T5_twelve_month_review_period_ends_the_day_before_the_same_date(anchor, review_by):
    ds = project(ev("plan_last_reviewed", anchor))
    assert due(ds, "annual_review_due") == D(review_by)


@pytest.mark.parametrize(
    ("transferred", "review_by"),
    [
        ("2025-11-30", "2026-02-28"),  # 30 Feb 2026 missing -> 1 Mar 2026 - 1
        ("2027-11-30", "2028-02-29"),  # 30 Feb 2028 missing -> 1 Mar 2028 - 1
        ("2025-10-31", "2026-01-30"),
    ],
)
def test_T5_three_months_beginning_with_the_transfer_reg_15_5(transferred, review_by):
    # The plan's own 12 months (from 1 Jun 2024) end earlier, so the 3 months decide (R19).
    ds = project(ev("final_plan_issued", "2024-06-01"), ev("plan_transferred", transferred))
    assert due(ds, "transferred_plan_review_due") == D(review_by)


# --- T6: working days are Mon-Fri excluding England & Wales bank holidays ------------------


def test_T6_15_working_days_beginning_mon_15_dec_2025_end_wed_7_jan_2026():
    ds = project(ev("move_notified_to_old_la", "2025-12-15", move_date="2026-01-02"))
    assert due(ds, "plan_transfer_due") == D("2026-01-07")


@pytest.mark.parametrize("calendar", [ENGLAND, STAFFORDSHIRE], ids=["england", "staffordshire"])
def test_T6_school_holidays_are_working_days_bank_holidays_are_not(calendar):
    # Mon 28 Jul 2025 (summer holiday): Tue 29, Wed 30, Thu 31 Jul.
    # Fri 22 Aug 2025: Mon 25 Aug bank holiday -> Tue 26, Wed 27, Thu 28 Aug.
    july = project(ev("decision_letter_sent", "2025-07-01", decision="refuse_to_assess"),
                   ev("mediation_declined", "2025-07-28"), calendar=calendar)
    august = project(ev("decision_letter_sent", "2025-08-01", decision="refuse_to_assess"),
                     ev("mediation_declined", "2025-08-22"), calendar=calendar)
    assert due(july, "mediation_certificate_due") == D("2025-07-31")
    assert due(august, "mediation_certificate_due") == D("2025-08-28")


def test_T6_a_bank_holiday_proclaimed_in_la_data_is_not_a_working_day():
    """§7.1: a proclamation can add a day; the LA file's bank_holidays.add carries it."""
    data = parse_calendar_data(
        "la_code: E10000028\nla_name: Test\nsources:\n"
        "  - {id: t, url: 'https://example.org/', retrieved: 2026-01-01}\n"
        "bank_holidays:\n  add:\n    - {date: 2025-12-17, name: Proclaimed day}\n"
    )
    ds = project(ev("move_notified_to_old_la", "2025-12-15", move_date="2026-01-02"),
                 calendar=EnglandCalendar(data))
    # Wed 17 Dec no longer counts: the 15th working day moves from Wed 7 to Thu 8 Jan 2026.
    assert due(ds, "plan_transfer_due") == D("2026-01-08")


# --- T7: in time if done at any time on the last day ---------------------------------------


def test_T7_a_limit_met_on_its_last_day_is_met_on_time_and_open_on_it_is_not_breached():
    met = project(ev("request_received", "2025-01-06"),
                  ev("decision_to_assess_notified", "2025-02-17", outcome="assess"))
    open_ = project(ev("request_received", "2025-01-06"))
    [m] = [d for d in met if d.key == "decision_to_assess_due"]
    [o] = [d for d in open_ if d.key == "decision_to_assess_due"]
    assert status_on(m, D("2025-02-17"), ENGLAND) is Status.MET_ON_TIME
    assert status_on(o, D("2025-02-17"), ENGLAND) is Status.DUE_SOON
    assert status_on(o, D("2025-02-18"), ENGLAND) is Status.BREACHED


def test_T7_tribunal_appeal_received_on_the_rolled_forward_last_day_is_in_time():
    """HESC r.12(1): by 5pm on the last day; dates carry no time, so the day is in time."""
    ds = project(ev("decision_letter_sent", "2025-06-15", decision="refuse_to_assess"),
                 ev("appeal_registered", "2025-09-01"))
    [appeal] = [d for d in ds if d.key == "appeal_deadline"]
    assert status_on(appeal, D("2025-09-01"), ENGLAND) is Status.MET_ON_TIME


# --- T8: SEND Regs deadlines never move and clocks never pause -----------------------------


def test_T8_twenty_weeks_ending_on_a_bank_holiday_is_not_moved():
    ds = project(ev("request_received", "2025-01-06"))
    assert due(ds, "final_plan_due") == D("2025-05-26")
    assert not ENGLAND.is_working_day(D("2025-05-26"))


def test_T8_six_weeks_ending_on_a_saturday_is_not_moved():
    ds = project(ev("request_received", "2025-01-04"))
    assert due(ds, "decision_to_assess_due") == D("2025-02-15")


FULL_HISTORY = (
    ev("request_received", "2025-07-22"),  # Tue, the first day of Staffordshire's summer holiday
    ev("decision_to_assess_notified", "2025-08-26", outcome="assess"),
    ev("advice_requested", "2025-08-27", advisor="head_teacher", school="URN124000"),
    ev("draft_plan_posted", "2025-11-14", method="first_class_post"),
    ev("school_consulted", "2025-11-14", school="URN124000"),
    ev("final_plan_issued", "2025-12-09"),
    ev("review_meeting_held", "2026-11-20"),
    ev("decision_letter_sent", "2025-12-09", decision="final_plan_contents"),
)


def test_T8_school_holidays_never_pause_a_clock_la_calendar_gives_the_same_dates():
    # Tue 22 Jul 2025 + 42 = Tue 2 Sep 2025; + 140 = Tue 9 Dec 2025.
    plain, local = project(*FULL_HISTORY), project(*FULL_HISTORY, calendar=STAFFORDSHIRE)
    assert due(plain, "decision_to_assess_due") == D("2025-09-02")
    assert due(plain, "final_plan_due") == D("2025-12-09")
    assert [(d.key, d.instance, d.nominal, d.due) for d in plain] == [
        (d.key, d.instance, d.nominal, d.due) for d in local
    ]


def test_T8_a_school_closure_in_the_history_does_not_pause_the_clock():
    closure = {"type": "school_closure", "school": "URN124000", "closed_from": "2025-07-22",
               "reopens_on": "2025-09-01"}
    without, with_closure = project(*FULL_HISTORY), project(*FULL_HISTORY, closure)
    assert [(d.key, d.nominal, d.due) for d in without] == [
        (d.key, d.nominal, d.due) for d in with_closure
    ]


def test_T8_only_tribunal_rule_12_rolls_forward_reg_33_and_reg_44_do_not():
    ds = project(ev("decision_letter_sent", "2025-06-15", decision="refuse_to_assess"))
    assert due(ds, "mediation_adviser_contact_due") == D("2025-08-15")  # Fri in August, kept
    assert due(ds, "appeal_deadline") == D("2025-09-01")  # r.12(3): August not counted


# --- T9: instants become London dates before anything is counted ---------------------------


@pytest.mark.parametrize(
    ("received_at", "london_date"),
    [
        ("2025-10-25T23:30:00Z", "2025-10-26"),  # the §2 example: 00:30 BST on 26 Oct
        ("2025-10-25T22:59:59Z", "2025-10-25"),  # 23:59:59 BST
        ("2025-10-25T23:00:00Z", "2025-10-26"),  # midnight BST
        ("2025-10-26T00:30:00Z", "2025-10-26"),  # 01:30 BST, just before the clocks go back
        ("2025-10-26T23:30:00Z", "2025-10-26"),  # 23:30 GMT after the change
        ("2025-03-29T23:30:00Z", "2025-03-29"),  # 23:30 GMT, the night before BST starts
        ("2025-03-30T00:30:00Z", "2025-03-30"),  # 00:30 GMT, before 01:00Z
        ("2025-03-30T23:30:00Z", "2025-03-31"),  # 00:30 BST on 31 Mar
        ("2025-12-31T23:59:59Z", "2025-12-31"),  # GMT: UTC and London agree
    ],
)
def test_T9_request_received_at_an_instant_takes_its_europe_london_date(received_at,
                                                                        london_date):
    event = parse_event({"type": "request_received", "received_at": received_at})
    assert event.date == D(london_date)


def test_T9_plus_01_00_offset_is_converted_not_read_as_london_wall_time():
    """00:30+01:00 on 26 Oct 2025 is 23:30Z on 25 Oct, which is 00:30 BST on 26 Oct."""
    event = parse_event({"type": "request_received",
                         "received_at": "2025-10-26T00:30:00+01:00"})
    assert event.date == D("2025-10-26")


def test_T9_received_at_wins_over_a_contradicting_date_and_drives_the_deadlines():
    ds = project({"type": "request_received", "date": "2025-10-25",
                  "received_at": "2025-10-25T23:30:00Z"})
    assert due(ds, "decision_to_assess_due") == D("2025-12-07")  # Sun 26 Oct + 42


def test_T9_a_received_at_without_a_timezone_is_refused():
    with pytest.raises(InvalidEvent, match="timezone"):
        parse_event({"type": "request_received", "received_at": "2025-10-25T23:30:00"})


def test_T9_the_refusal_of_a_naive_received_at_names_the_field():
    with pytest.raises(InvalidEvent, match="received_at"):
        parse_event({"type": "request_received", "received_at": "2025-10-25T23:30:00"})


@pytest.mark.parametrize(
    "now",
    ["2025-10-26 00:30:00", "2025-10-26 01:30:00", "2025-03-30 00:59:00", "2025-03-30 01:00:00",
     "2031-01-01 12:00:00"],
)
def test_T9_the_engine_never_reads_the_clock_results_do_not_depend_on_today(now):
    history = parse_events(list(FULL_HISTORY))
    expected = report(project_deadlines(history, ENGLAND), D("2025-12-01"), ENGLAND)
    with freeze_time(now):
        frozen = report(project_deadlines(history, ENGLAND), D("2025-12-01"), ENGLAND)
    assert frozen == expected


# --- T10: the date is the outer limit; earlier completion is the duty ---------------------


def test_T10_acting_early_meets_a_limit_and_is_never_premature():
    ds = project(ev("request_received", "2025-01-06"),
                 ev("decision_to_assess_notified", "2025-01-06", outcome="assess"),
                 ev("draft_plan_served", "2025-02-03"), ev("final_plan_issued", "2025-02-20"))
    for d in ds:
        if d.kind == "limit":
            assert d.premature_on is None
            assert status_on(d, D("2025-02-20"), ENGLAND) in (
                Status.MET_ON_TIME, Status.PENDING, Status.DUE_SOON)
    [plan] = [d for d in ds if d.key == "final_plan_due"]
    assert status_on(plan, D("2025-02-20"), ENGLAND) is Status.MET_ON_TIME
