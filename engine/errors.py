"""Every error the engine raises, so callers can catch exactly what they mean.

EngineError
├── InvalidEvent        one event is malformed (unknown type, bad date, missing field)
├── InvalidHistory      events are individually fine but impossible together
│                       (final plan dated before the request, a decision recorded twice)
└── IllegalTransition   an event is not allowed in the case's current stage

(A date the calendar cannot answer for raises ``calendars.errors.CalendarGap``, the
calendars' own error.)

Each carries a human-readable ``reason`` and, where known, the position of the
offending event in the history (``index``, 0-based as given) so a caseworker can find it.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class: ``reason`` is shown to the user as it is."""

    def __init__(self, reason: str, *, index: int | None = None) -> None:
        self.reason = reason
        self.index = index
        where = f"event #{index + 1}: " if index is not None else ""
        super().__init__(f"{where}{reason}")


class InvalidEvent(EngineError):
    """One event failed validation."""


class InvalidHistory(EngineError):
    """Events that are each valid but cannot all be true."""


class IllegalTransition(InvalidHistory):
    """An event that the case's stage does not allow, with the reason."""

    def __init__(self, stage: str, event_type: str, reason: str, *, index: int | None = None):
        self.stage = stage
        self.event_type = event_type
        super().__init__(reason, index=index)
