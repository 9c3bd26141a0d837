"""The statutory clock: case events in, deadlines out. Pure: no I/O, no clock, no SQL.

The public surface is ``__all__`` (a test keeps it honest); everything else is internal.
"""

from calendars.errors import CalendarGap
from engine.deadlines import Projection, project_case, project_deadlines
from engine.errors import EngineError, IllegalTransition, InvalidEvent, InvalidHistory
from engine.events import CaseEvent, dump_event, event_date, parse_event, parse_events
from engine.history import effective_history
from engine.report import deadline_row, deadline_rows, report
from engine.rules import TIMESCALES, Rule
from engine.stages import check_history
from engine.status import CaseWarning, Deadline, Status, days_late, status_on

__all__ = [
    "TIMESCALES",
    "CalendarGap",
    "CaseEvent",
    "CaseWarning",
    "Deadline",
    "EngineError",
    "IllegalTransition",
    "InvalidEvent",
    "InvalidHistory",
    "Projection",
    "Rule",
    "Status",
    "check_history",
    "days_late",
    "deadline_row",
    "deadline_rows",
    "dump_event",
    "effective_history",
    "event_date",
    "parse_event",
    "parse_events",
    "project_case",
    "project_deadlines",
    "report",
    "status_on",
]
