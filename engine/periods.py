"""The counting conventions (statutory-rules.md §2, T1-T6), each implemented once.

A period is data on a rule row (``Weeks(6)``, ``MonthsStartingWith(12)``...). Applying it to
a start date gives the last compliant day and a sentence saying how it was counted, so a
caseworker can read the arithmetic aloud. Nothing here moves a date for weekends, bank
holidays or school holidays (T8): only working-day periods look at the calendar.
"""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
from dataclasses import dataclass

from calendars.base import WorkingCalendar
from calendars.service import working_days_beginning_with

# English names, whatever the process locale (``strftime``'s %a/%b follow it, and cost
# several times a table look-up; every explanation carries a handful of dates).
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_SHORT_DAYS = tuple(name[:3] for name in _DAYS)
_SHORT_MONTHS = tuple(name[:3] for name in _MONTHS)


def long_date(day: dt.date) -> str:
    """``Mon 6 Jan 2025``: unambiguous for a parent on the phone."""
    return f"{_SHORT_DAYS[day.weekday()]} {day.day} {_SHORT_MONTHS[day.month]} {day.year}"


def day_name(day: dt.date) -> str:
    """``Monday 6 January 2025``: the form the family's explanation uses."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month]} {day.year}"


def add_months(day: dt.date, months: int) -> dt.date:
    """T4: the corresponding date ``months`` later (or earlier); a missing day is the last
    day of that month (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = monthcal.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def end_of_months_starting_with(day: dt.date, months: int) -> dt.date:
    """T5: the last day of the period of ``months`` months starting with ``day``.

    It ends the day before the same day-of-month ``months`` later; when that month has no
    such day (29 Feb), the period runs to the end of the month: plan 29 Feb 2028 -> review
    due 28 Feb 2029; plan 1 Mar 2027 -> 29 Feb 2028; plan 15 Mar 2025 -> 14 Mar 2026.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = monthcal.monthrange(year, month + 1)[1]
    if day.day > last:  # the missing day counts as the 1st of the next month
        return dt.date(year, month + 1, last)
    return dt.date(year, month + 1, day.day) - dt.timedelta(days=1)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


@dataclass(frozen=True)
class Weeks:
    """T1/T2: "within N weeks of" = start + 7N days, the start day not counted."""

    n: int

    def plain(self, start: str) -> str:
        return f"{_plural(abs(self.n), 'week')} {'before' if self.n < 0 else 'after'} {start}"

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        end = start + dt.timedelta(weeks=self.n)
        if self.n < 0:
            return end, f"{_plural(-self.n, 'week')} ({-7 * self.n} days) before"
        return end, (
            f"{_plural(self.n, 'week')} = {7 * self.n} calendar days after "
            f"{long_date(start)}, weekends and bank holidays included (T1, T8)"
        )


@dataclass(frozen=True)
class Days:
    """Calendar days after the start, the start not counted ("within 15 days of")."""

    n: int

    def plain(self, start: str) -> str:
        return start if self.n == 0 else f"{_plural(self.n, 'day')} after {start}"

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        end = start + dt.timedelta(days=self.n)
        if self.n == 0:  # the date is the start itself (deemed service)
            return end, ""
        return end, f"{_plural(self.n, 'calendar day')} after {long_date(start)}"


@dataclass(frozen=True)
class DaysBeginningWith:
    """T3: "at least N days, beginning with the day" - the start is day 1 (start + N - 1)."""

    n: int

    def plain(self, start: str) -> str:
        return f"{self.n} days, starting with {start}"

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        end = start + dt.timedelta(days=self.n - 1)
        return end, (
            f"{self.n} calendar days beginning with {long_date(start)} (that day is day 1, T3)"
        )


@dataclass(frozen=True)
class WorkingDays:
    """T6: the Nth working day after the start (the start not counted)."""

    n: int

    def plain(self, start: str) -> str:
        return (f"{_plural(self.n, 'working day')} after {start}. Weekends and bank "
                "holidays are not counted")

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        end = cal.add_working_days(start, self.n)
        return end, (
            f"{_plural(self.n, 'working day')} after {long_date(start)}"
            f"{skipped_days(start, end, cal)} (T6)"
        )


@dataclass(frozen=True)
class WorkingDaysBeginningWith:
    """T6 with "beginning with": the start counts as day 1 when it is a working day."""

    n: int

    def plain(self, start: str) -> str:
        return (f"{self.n} working days, starting with {start}. Weekends and bank "
                "holidays are not counted")

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        end = working_days_beginning_with(start, self.n, cal)
        return end, (
            f"{self.n} working days beginning with {long_date(start)}"
            f"{skipped_days(start, end, cal)} (T6)"
        )


@dataclass(frozen=True)
class Months:
    """T4: the corresponding date N calendar months later (negative: earlier)."""

    n: int

    def plain(self, start: str) -> str:
        return f"{_plural(abs(self.n), 'month')} {'before' if self.n < 0 else 'after'} {start}"

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        end = add_months(start, self.n)
        direction = "after" if self.n >= 0 else "before"
        clamped = " (that month is shorter, so its last day)" if end.day != start.day else ""
        months = _plural(abs(self.n), "calendar month")
        return end, f"{months} {direction} {long_date(start)}{clamped} (T4)"


@dataclass(frozen=True)
class MonthsStartingWith:
    """T5: the last day of the period of N months starting with the start date."""

    n: int

    def plain(self, start: str) -> str:
        return f"{self.n} months, starting with {start}"

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        end = end_of_months_starting_with(start, self.n)
        return end, (
            f"the period of {self.n} months starting with {long_date(start)} ends the day "
            "before the same date a year on (T5)"
            if self.n == 12
            else f"the period of {self.n} months starting with {long_date(start)} (T5)"
        )


@dataclass(frozen=True)
class DayBefore:
    """"Before <day month>" in the start's calendar year: the last compliant day is the day
    before (A6). The named date itself is reported separately."""

    month: int
    day: int

    def plain(self, start: str) -> str:
        named = dt.date(2000, self.month, self.day)
        return f"the last day before {named:%-d %B} in the year of {start}"

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        named = dt.date(start.year, self.month, self.day)
        end = named - dt.timedelta(days=1)
        return end, (
            f"the regulation says before {named:%-d %B} {named.year}, so the last day is "
            f"{long_date(end)} (A6)"
        )


@dataclass(frozen=True)
class OnDate:
    """A fixed date in the start's calendar year (the named phase-transfer date)."""

    month: int
    day: int

    def plain(self, start: str) -> str:
        return f"the date the law names, in the year of {start}"

    def apply(self, start: dt.date, cal: WorkingCalendar) -> tuple[dt.date, str]:
        named = dt.date(start.year, self.month, self.day)
        return named, f"{named:%-d %B} of the calendar year of transfer ({named.year})"


Period = (
    Weeks | Days | DaysBeginningWith | WorkingDays | WorkingDaysBeginningWith | Months
    | MonthsStartingWith | DayBefore | OnDate
)


def skipped_days(start: dt.date, end: dt.date, cal: WorkingCalendar) -> str:
    """``", skipping Sat 20 Dec, ..."``: the non-working days between start and end."""
    lo, hi = sorted((start, end))
    skipped = [
        lo + dt.timedelta(days=i)
        for i in range(1, (hi - lo).days)
        if not cal.is_working_day(lo + dt.timedelta(days=i))
    ]
    if not skipped:
        return ""
    weekdays = [d for d in skipped if d.weekday() >= 5]
    holidays = [d for d in skipped if d.weekday() < 5]
    parts = []
    if weekdays:
        parts.append(_plural(len(weekdays), "weekend day"))
    if holidays:
        parts.append("bank holidays " + ", ".join(long_date(d) for d in holidays))
    return ", skipping " + " and ".join(parts)
