"""England & Wales bank holidays (§7.1) and working days (T6), table-driven by ISO date.

In the style of vacanza/holidays' test_united_kingdom: each year's expected list is
written out from statutory-rules.md §7.1 (gov.uk/bank-holidays for 2025-2027; 2028 from
the standing rules), so a library upgrade that moves a day fails here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from calendars import EnglandCalendar, load_calendar
from calendars.errors import CalendarGap

D = dt.date.fromisoformat

BANK_HOLIDAYS_7_1 = {
    2025: ("2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26",
           "2025-08-25", "2025-12-25", "2025-12-26"),
    2026: ("2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
           "2026-08-31", "2026-12-25", "2026-12-28"),
    2027: ("2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
           "2027-08-30", "2027-12-27", "2027-12-28"),
    2028: ("2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29",
           "2028-08-28", "2028-12-25", "2028-12-26"),
}


@pytest.fixture(scope="module")
def england() -> EnglandCalendar:
    return load_calendar()


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS_7_1))
def test_bank_holidays_match_rules_table_7_1(england, year):
    assert list(england.bank_holidays(year)) == [D(day) for day in BANK_HOLIDAYS_7_1[year]]


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS_7_1))
def test_every_listed_bank_holiday_is_not_a_working_day(england, year):
    for day in BANK_HOLIDAYS_7_1[year]:
        assert not england.is_working_day(D(day)), day


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2026-12-28", "Boxing Day (observed)"),
        ("2027-12-27", "Christmas Day (observed)"),
        ("2027-12-28", "Boxing Day (observed)"),
        ("2028-01-03", "New Year's Day (observed)"),
    ],
)
def test_substitute_days_are_named_as_observed(england, day, name):
    assert england.bank_holidays(D(day).year)[D(day)] == name


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-12-24", True),   # Christmas Eve is an ordinary working day
        ("2025-12-27", False),  # Saturday
        ("2025-12-28", False),  # Sunday
        ("2025-12-29", True),
        ("2026-12-26", False),  # Saturday Boxing Day; its substitute is Mon 28th
        ("2026-12-29", True),
        ("2027-12-29", True),
        ("2028-01-04", True),
        ("2026-04-02", True),   # Maundy Thursday
        ("2026-04-07", True),   # Tuesday after Easter Monday
    ],
)
def test_is_working_day(england, day, working):
    assert england.is_working_day(D(day)) is working


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-03"])
def test_dates_outside_the_calendar_raise_calendar_gap(england, day):
    with pytest.raises(CalendarGap, match="no bank holiday data"):
        england.is_working_day(D(day))
    with pytest.raises(CalendarGap):
        england.add_working_days(D(day), 1)


def test_stepping_past_the_last_covered_year_raises_calendar_gap(england):
    with pytest.raises(CalendarGap, match="2101"):
        england.add_working_days(D("2100-12-31"), 1)


def test_bank_holidays_for_uncovered_year_raise_calendar_gap(england):
    with pytest.raises(CalendarGap):
        england.bank_holidays(2101)
