"""A case's would-be life, cut off at ``as_of``, and the date helpers the simulation uses.

The generator simulates each case from its first event to its natural end, then keeps
only what had happened by ``as_of``. Because every step is dated on or after the step that
caused it, cutting the timeline anywhere leaves a consistent history, and the open cases
fall at every stage in the proportions a steady flow of work produces.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from calendars import load_calendar

DAY = dt.timedelta(days=1)
_ENGLAND = load_calendar(None)  # bank holidays only; school closures do not stop letters


class Timeline:
    """Collects events in causal order; ``events(as_of)`` gives the history as it stood."""

    def __init__(self) -> None:
        self._items: list[tuple[dt.date, int, dict[str, Any]]] = []

    def add(self, day: dt.date, event_type: str, **fields: Any) -> dt.date:
        """Record a dated event (``date`` = the legal date) and return its date."""
        self._items.append((day, len(self._items), {"type": event_type, "date": day, **fields}))
        return day

    def fact(self, known_on: dt.date, event_type: str, **fields: Any) -> None:
        """Record an undated calendar fact or forecast, known to the LA from ``known_on``."""
        self._items.append((known_on, len(self._items), {"type": event_type, **fields}))

    def has(self, event_type: str, as_of: dt.date) -> bool:
        return any(e["type"] == event_type and d <= as_of for d, _, e in self._items)

    def events(self, as_of: dt.date) -> tuple[dict[str, Any], ...]:
        """JSON-ready events known by ``as_of``, in date order (ties keep causal order)."""
        kept = sorted((d, i, e) for d, i, e in self._items if d <= as_of)
        return tuple({k: _iso(v) for k, v in e.items()} for _, _, e in kept)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    """A whole number of days drawn uniformly from [low, high]."""
    return dt.timedelta(days=rng.randint(low, high))


def working_day(day: dt.date) -> dt.date:
    """The day itself or the next working day: councils date their letters on working days."""
    while not _ENGLAND.is_working_day(day):
        day += DAY
    return day


def summer_closure(year: int) -> tuple[dt.date, dt.date]:
    """A typical summer closure: from the Saturday after the last Friday on or before
    23 July, to the first weekday of September (INSET days count as open, reading A9)."""
    end_of_term = dt.date(year, 7, 23)
    end_of_term -= DAY * ((end_of_term.weekday() - 4) % 7)
    return end_of_term + DAY, working_day(dt.date(year, 9, 1))


def next_september(as_of: dt.date) -> dt.date:
    """1 September of the coming school year: the transfer date for this year's leavers."""
    return dt.date(as_of.year if as_of.month < 9 else as_of.year + 1, 9, 1)
