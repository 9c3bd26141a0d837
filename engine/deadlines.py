"""project_deadlines: a case's history and its calendar in, its statutory deadlines out."""

from __future__ import annotations

from collections.abc import Sequence

from calendars.base import WorkingCalendar
from engine.events import CaseEvent
from engine.status import Deadline


def project_deadlines(history: Sequence[CaseEvent], calendar: WorkingCalendar) -> tuple[Deadline, ...]:
    """Every deadline the history implies (work in progress: filled in rule by rule)."""
    raise NotImplementedError
