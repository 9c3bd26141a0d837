"""Which working calendar a local authority's cases are counted on.

In order: the calendar data loaded into the database for that LA (``ehc calendar load``),
else the data shipped in ``calendars/data`` for its code, else plain England & Wales bank
holidays (closures then come only from ``school_closure`` events in the case history).
"""

from __future__ import annotations

from functools import lru_cache

from calendars import (
    EnglandCalendar,
    UnknownLocalAuthority,
    WorkingCalendar,
    load_calendar,
    parse_calendar_data,
)
from db.schema import LocalAuthority


def calendar_for(la: LocalAuthority) -> WorkingCalendar:
    return calendar_of(la.code, la.calendar_data)


def calendar_of(la_code: str, calendar_data: str | None) -> WorkingCalendar:
    """The calendar of the LA with ``la_code`` and (if loaded) ``calendar_data``."""
    if calendar_data is not None:
        return _from_text(calendar_data)
    try:
        return load_calendar(la_code)
    except UnknownLocalAuthority:
        return load_calendar(None)


@lru_cache(maxsize=32)
def _from_text(text: str) -> WorkingCalendar:
    return EnglandCalendar(parse_calendar_data(text))
