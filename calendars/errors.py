"""The calendars' one error root, so callers can catch exactly what they mean.

CalendarError
├── CalendarGap            no data for the date asked about (outside the covered years)
├── CalendarDataError      a calendar data file is malformed (``calendars.la_data``)
└── UnknownLocalAuthority  no calendar ships for that code (``calendars.registry``)
"""

from __future__ import annotations


class CalendarError(Exception):
    """Base class: ``str(error)`` is shown to the user as it is."""


class CalendarGap(CalendarError):
    """The calendar has no data for the date asked about."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
