"""Deemed service (R29, A3), Tribunal roll-forward (R26, A7), closure windows (§5.1, A9)
and the reg 15(2) awareness test (R17), each from the rules file's worked examples."""

from __future__ import annotations

import datetime as dt

import pytest

from calendars import (
    Closure,
    aware_in_time,
    closure_window_contains,
    deemed_served,
    load_calendar,
    qualifying_closures,
    tribunal_roll_forward,
)

D = dt.date.fromisoformat
ENGLAND = load_calendar()


@pytest.mark.parametrize(
    ("posted", "served"),
    [
        ("2025-04-17", "2025-04-23"),  # §6: Thu before Easter -> Wed after
        ("2025-08-22", "2025-08-27"),  # §6: Fri before the August bank holiday
        ("2025-12-23", "2025-12-29"),  # §6: over Christmas
        ("2026-04-02", "2026-04-08"),  # §6: Thu before Easter 2026
        ("2026-01-05", "2026-01-07"),  # plain Monday -> Wednesday
        ("2026-01-09", "2026-01-13"),  # Friday -> Tuesday (CPR 6.26 would give Monday)
    ],
)
def test_first_class_post_is_served_on_second_working_day_after_posting_r29(posted, served):
    assert deemed_served(D(posted), "first_class_post", ENGLAND) == D(served)


@pytest.mark.parametrize(
    ("posted", "served"),
    [
        ("2026-01-05", "2026-01-09"),
        ("2025-12-23", "2025-12-31"),  # 24, 29, 30, 31
        ("2026-04-01", "2026-04-09"),  # 2, (3 Good Friday, 6 Easter Monday), 7, 8, 9
    ],
)
def test_second_class_post_is_served_on_fourth_working_day_after_posting_r29(posted, served):
    assert deemed_served(D(posted), "second_class_post", ENGLAND) == D(served)


@pytest.mark.parametrize("method", ["email", "hand"])
@pytest.mark.parametrize("sent", ["2025-12-25", "2026-01-10", "2026-01-12"])
def test_email_and_hand_delivery_are_served_the_same_day_even_on_a_holiday(method, sent):
    assert deemed_served(D(sent), method, ENGLAND) == D(sent)


def test_unknown_service_method_is_refused():
    with pytest.raises(ValueError, match="unknown service method 'fax'"):
        deemed_served(D("2026-01-05"), "fax", ENGLAND)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("nominal", "rolled"),
    [
        ("2025-08-29", "2025-09-01"),  # August -> first working day of September
        ("2026-08-01", "2026-09-01"),  # Sat in August; Mon 31 Aug is in August anyway
        ("2027-08-02", "2027-09-01"),
        ("2029-08-15", "2029-09-03"),  # 1 Sep 2029 is a Saturday
        ("2027-07-31", "2027-09-01"),  # Sat 31 Jul rolls into August, so on to September
        ("2025-12-25", "2026-01-02"),  # 25 Dec-1 Jan -> next working day in January
        ("2026-01-01", "2026-01-02"),
        ("2026-12-29", "2027-01-04"),  # 2-3 Jan 2027 is a weekend
        ("2027-12-31", "2028-01-04"),  # Sun 2 Jan, Mon 3 Jan substitute bank holiday
        ("2022-12-24", "2023-01-03"),  # Sat 24 Dec rolls into the break; 2 Jan 2023 is a BH
        ("2026-03-14", "2026-03-16"),  # ordinary Saturday -> Monday
        ("2026-04-03", "2026-04-07"),  # Good Friday -> Tuesday after Easter Monday
        ("2025-12-24", "2025-12-24"),  # working day outside the periods: unchanged
        ("2026-07-31", "2026-07-31"),
        ("2026-09-01", "2026-09-01"),
    ],
)
def test_tribunal_deadline_rolls_forward_per_hesc_r12_reading_a7(nominal, rolled):
    assert tribunal_roll_forward(D(nominal), ENGLAND) == D(rolled)


SUMMER = Closure("school-a", D("2026-07-21"), D("2026-09-01"))  # 42 days


@pytest.mark.parametrize(
    ("requested", "inside"),
    [
        ("2026-07-13", False),  # closed_from - 8
        ("2026-07-14", True),   # closed_from - 7: window opens
        ("2026-07-21", True),
        ("2026-08-25", True),   # reopens_on - 7: window closes
        ("2026-08-26", False),  # reopens_on - 6
    ],
)
def test_closure_window_runs_from_a_week_before_closing_to_a_week_before_reopening(
    requested, inside
):
    assert closure_window_contains(SUMMER, D(requested)) is inside


@pytest.mark.parametrize(("days", "qualifies"), [(28, True), (27, False), (16, False)])
def test_only_closures_of_at_least_28_days_qualify(days, qualifies):
    closed_from = D("2026-07-21")
    closure = Closure("school-a", closed_from, closed_from + dt.timedelta(days=days))
    assert closure_window_contains(closure, closed_from) is qualifies


def test_qualifying_closures_picks_the_long_closure_whose_window_holds_the_request():
    christmas = Closure("school-a", D("2025-12-20"), D("2026-01-05"))
    summer_2025 = Closure("school-a", D("2025-07-22"), D("2025-09-01"))
    closures = [summer_2025, christmas, SUMMER]
    assert qualifying_closures(closures, D("2026-08-03")) == (SUMMER,)
    assert qualifying_closures(closures, D("2025-12-19")) == ()
    assert qualifying_closures(closures, D("2025-07-15")) == (summer_2025,)


@pytest.mark.parametrize(
    ("aware", "in_time"),
    [
        # Move Mon 19 Jan 2026; the 15th working day before it is Wed 24 Dec 2025
        # (16 .. 5 Jan = 10, Fri 2 Jan = 11, (1 Jan BH) 31, 30, 29 Dec = 14, (25/26) 24 = 15).
        ("2025-12-23", True),
        ("2025-12-24", True),
        ("2025-12-25", False),
        ("2025-12-29", False),
    ],
)
def test_aware_in_time_means_on_or_before_15th_working_day_before_move_reg15_2(aware, in_time):
    assert aware_in_time(D(aware), D("2026-01-19"), ENGLAND) is in_time
