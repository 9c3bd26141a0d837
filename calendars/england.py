"""England & Wales working days and one local authority's school closures.

Bank holidays come from ``holidays.country_holidays("GB", subdiv="ENG")`` (substitute days
included), adjusted by the LA file's ``bank_holidays.add`` / ``remove`` so a proclaimed or
moved day can be loaded from data before the library knows about it (§7.1). Working days
are Monday-Friday that are not bank holidays (T6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import holidays

from calendars.base import Closure
from calendars.closures import closures_for
from calendars.errors import CalendarGap
from calendars.la_data import CalendarDataError, LaCalendarData

# Years the calendar answers for. The SEND Regulations start in 2014; ``holidays`` stops
# at 2100. Outside this range the calendar raises CalendarGap rather than guess.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class EnglandCalendar:
    """The ``WorkingCalendar`` for England, optionally with one LA's data.

    Args:
        data: The LA's calendar data; ``None`` gives plain England (bank holidays only,
            no school closures).
    """

    def __init__(self, data: LaCalendarData | None = None) -> None:
        self.data = data
        self._holidays = holidays.country_holidays(
            "GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1), expand=False
        )
        if data is not None:
            self._apply_overrides(data)
        self._closures: dict[str | None, tuple[Closure, ...]] = {}
        # Asking ``holidays`` costs ~13 us a day and the sweep asks about the same few
        # hundred days for every case: each day's answer is kept (the calendar never changes).
        self._working: dict[dt.date, bool] = {}
        self._added: dict[tuple[dt.date, int], dt.date] = {}  # and each sum asked for

    def _apply_overrides(self, data: LaCalendarData) -> None:
        source = f"{data.la_code}.yaml"
        problems = []
        for removed in data.bank_holidays.remove:
            if removed not in self._holidays:
                problems.append(f"bank_holidays.remove: {removed} is not a bank holiday")
        for added in data.bank_holidays.add:
            if not FIRST_YEAR <= added.date.year <= LAST_YEAR:
                problems.append(f"bank_holidays.add: {added.date} is outside the calendar")
        if problems:
            raise CalendarDataError(source, problems)
        for removed in data.bank_holidays.remove:
            self._holidays.pop(removed)
        for added in data.bank_holidays.add:
            self._holidays[added.date] = added.name

    @property
    def la_code(self) -> str | None:
        """The LA's ONS code, or ``None`` for plain England."""
        return self.data.la_code if self.data else None

    def _check(self, day: dt.date) -> None:
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise CalendarGap(
                f"no bank holiday data for {day.year} (calendar covers {FIRST_YEAR}-{LAST_YEAR})"
            )

    def is_working_day(self, day: dt.date) -> bool:
        """True for Monday-Friday that is not an England & Wales bank holiday (T6).

        Raises:
            CalendarGap: ``day`` is outside the years the calendar covers.
        """
        known = self._working.get(day)
        if known is None:
            self._check(day)
            known = self._working[day] = bool(self._holidays.is_working_day(day))
        return known

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` > 0) or before it (``n`` < 0) (T6).

        ``day`` itself is never counted (open interval at ``day``): Friday + 1 is the next
        working Monday; ``n`` == 0 returns ``day`` unchanged.

        Raises:
            CalendarGap: ``day`` or the result is outside the years the calendar covers.
        """
        known = self._added.get((day, n))
        if known is not None:
            return known
        self._check(day)
        step = dt.timedelta(days=1 if n > 0 else -1)
        left, result = abs(n), day
        while left:
            result += step
            left -= self.is_working_day(result)
        self._added[(day, n)] = result
        return result

    def bank_holidays(self, year: int) -> dict[dt.date, str]:
        """``year``'s bank holidays (with this LA's overrides), date to name, in date order.

        Listed as gov.uk lists them: days off work only, so a Christmas Day that falls on a
        Saturday is left out and its Monday/Tuesday substitute ("observed") is given.

        Raises:
            CalendarGap: ``year`` is outside the years the calendar covers.
        """
        self._check(dt.date(year, 1, 1))
        days = sorted(day for day in self._holidays if day.year == year and day.weekday() < 5)
        return {day: str(self._holidays[day]) for day in days}

    def closures(self, school: str | None) -> Sequence[Closure]:
        """``school``'s closures in date order (A9).

        The school's own dates when the LA data has an entry for it, else the LA's default
        term dates (also for ``None``). Plain England has no closures.
        """
        if self.data is None:
            return ()
        if school not in self._closures:
            if school is not None and school not in self.data.schools:
                # The LA's default dates, derived once and named for this school: a
                # caseload names hundreds of schools the file does not list.
                self._closures[school] = tuple(
                    replace(closure, school=school) for closure in self.closures(None))
            else:
                self._closures[school] = closures_for(self.data, school, self.is_working_day)
        return self._closures[school]
