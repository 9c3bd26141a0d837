"""Calendars: England & Wales working days, deemed service, Tribunal roll-forward and
per-LA school closures. The engine sees only ``calendars.base.WorkingCalendar``."""

from calendars.base import Closure, WorkingCalendar
from calendars.england import EnglandCalendar
from calendars.la_data import CalendarDataError, LaCalendarData, parse_calendar_data
from calendars.registry import UnknownLocalAuthority, known_local_authorities, load_calendar
from calendars.service import (
    ServiceMethod,
    aware_in_time,
    closure_window_contains,
    deemed_served,
    qualifying_closures,
    tribunal_roll_forward,
    working_days_beginning_with,
)

__all__ = [
    "CalendarDataError",
    "Closure",
    "EnglandCalendar",
    "LaCalendarData",
    "ServiceMethod",
    "UnknownLocalAuthority",
    "WorkingCalendar",
    "aware_in_time",
    "closure_window_contains",
    "deemed_served",
    "known_local_authorities",
    "load_calendar",
    "parse_calendar_data",
    "qualifying_closures",
    "tribunal_roll_forward",
    "working_days_beginning_with",
]
