"""Working-day arithmetic (T6) across Easter, Christmas and substitute days."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendars import load_calendar, working_days_beginning_with

D = dt.date.fromisoformat
ENGLAND = load_calendar()


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        ("2025-04-17", 1, "2025-04-22"),   # Thu before Good Friday -> Tue after Easter Monday
        ("2025-04-22", -1, "2025-04-17"),
        ("2025-05-02", 1, "2025-05-06"),   # over May Day
        ("2025-12-24", 1, "2025-12-29"),   # over Christmas and Boxing Day
        ("2025-12-31", 1, "2026-01-02"),   # over New Year's Day
        ("2025-12-19", 5, "2025-12-30"),   # 22, 23, 24, (25, 26 off), 29, 30
        ("2026-12-24", 1, "2026-12-29"),   # Boxing Day substitute Mon 28 Dec 2026
        ("2027-12-24", 1, "2027-12-29"),   # both substitutes Mon 27 + Tue 28 Dec 2027
        ("2027-12-31", 1, "2028-01-04"),   # New Year substitute Mon 3 Jan 2028
        ("2028-01-04", -1, "2027-12-31"),
        ("2026-01-03", 1, "2026-01-05"),   # from a Saturday
        ("2026-01-03", -1, "2026-01-02"),
        ("2026-01-05", 0, "2026-01-05"),   # n == 0: the day itself
        ("2026-01-03", 0, "2026-01-03"),
        ("2026-04-02", 3, "2026-04-09"),   # Thu 2 Apr 2026 + 3 over Easter
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(day, n, expected):
    assert ENGLAND.add_working_days(D(day), n) == D(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2025-12-15", 15, "2026-01-07"),  # T6 worked example
        ("2025-12-15", 1, "2025-12-15"),   # a working start day is day 1
        ("2025-12-20", 1, "2025-12-22"),   # a Saturday start: day 1 is Monday
        ("2025-12-25", 1, "2025-12-29"),   # a bank-holiday start
        ("2025-12-25", 3, "2025-12-31"),
        ("2026-03-30", 5, "2026-04-07"),   # Mon 30 Mar 2026 over Easter: 30,31,1,2,7
    ],
)
def test_working_days_beginning_with_counts_start_as_day_one(start, n, expected):
    assert working_days_beginning_with(D(start), n, ENGLAND) == D(expected)


@pytest.mark.parametrize("n", [0, -3])
def test_working_days_beginning_with_refuses_empty_period(n):
    with pytest.raises(ValueError, match="at least 1 day"):
        working_days_beginning_with(D("2026-01-05"), n, ENGLAND)


_REFERENCE = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2032))
_days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2030, 12, 31))


@given(start=_days, n=st.integers(min_value=1, max_value=60))
def test_period_beginning_with_start_contains_exactly_n_working_days(start, n):
    end = working_days_beginning_with(start, n, ENGLAND)
    assert ENGLAND.is_working_day(end)
    assert _REFERENCE.get_working_days_count(start, end) == n


@given(day=_days, n=st.integers(min_value=1, max_value=60))
def test_adding_then_subtracting_working_days_returns_to_the_last_working_day(day, n):
    there = ENGLAND.add_working_days(day, n)
    back = ENGLAND.add_working_days(there, -n)
    assert there > day
    assert _REFERENCE.get_working_days_count(day + dt.timedelta(days=1), there) == n
    if ENGLAND.is_working_day(day):
        assert back == day
    else:  # the last working day before ``day``
        assert back < day
        assert _REFERENCE.get_working_days_count(back, day) == 1
