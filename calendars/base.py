"""What the engine needs to know about a local authority's calendar (the port).

The engine depends only on this Protocol; ``calendars.england`` provides the real one.
Working days are Monday to Friday excluding England & Wales bank holidays (T6); school
closures matter only to the reg 5(4)/10(4)/13(3)/27(3) closure exceptions (§7.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Closure:
    """A school's closure: closed from ``closed_from`` (first closed day) until it reopens
    on ``reopens_on`` (first day open to staff), per reading A9."""

    school: str
    closed_from: dt.date
    reopens_on: dt.date
    source: str = ""

    @property
    def length_days(self) -> int:
        return (self.reopens_on - self.closed_from).days


class WorkingCalendar(Protocol):
    """A local authority's calendar."""

    def is_working_day(self, day: dt.date) -> bool:
        """True for Monday-Friday that is not a bank holiday (T6)."""
        ...

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` > 0) or before it (``n`` < 0).

        ``day`` itself is never counted: Friday + 1 = the next Monday (if working).
        """
        ...

    def closures(self, school: str | None) -> Sequence[Closure]:
        """Known closures of ``school`` (the LA's default term dates when it has no own
        data, or when ``school`` is None), in date order."""
        ...
