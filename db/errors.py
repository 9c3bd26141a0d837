"""Every error the case store raises, each with a message a caseworker can act on.

StoreError
├── NotFound               an unknown case, caseworker, team or local authority
├── AlreadyExists          a case reference (or team, caseworker...) that is taken
├── EventRefused           the engine refused an event: invalid, illegal or impossible
│   └── ConflictingEventId a client event id reused for a different event
├── CaseChanged            someone else appended first: reload and try again
├── ImportRejected         a bulk import with problems; carries every one of them
├── ImportCollided         a bulk import met rows another writer had just written
├── CalendarRejected       calendar data that does not parse
├── UnreadableFile         an import file that cannot be read at all (a huge cell...)
└── DatabaseUnavailable    the database is locked, down, or not initialised
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class StoreError(Exception):
    """Base class: ``str(error)`` is shown to the user as it is."""


class NotFound(StoreError):
    pass


class AlreadyExists(StoreError):
    pass


class EventRefused(StoreError):
    """The engine's reason, and which of the submitted events it concerns (0-based)."""

    def __init__(self, reason: str, *, index: int | None = None) -> None:
        self.reason = reason
        self.index = index
        where = f"event #{index + 1}: " if index is not None else ""
        super().__init__(f"{where}{reason}")


class ConflictingEventId(EventRefused):
    """An event id already recorded for an event that says something else."""


class CaseChanged(StoreError):
    def __init__(self, reference: str, expected_seq: int, actual_seq: int | None) -> None:
        self.reference = reference
        self.expected_seq = expected_seq
        self.actual_seq = actual_seq
        now = f"it now has {actual_seq} events" if actual_seq is not None else "it changed"
        super().__init__(
            f"case {reference} changed while you were working on it (you had seen "
            f"{expected_seq} events, {now}): reload the case and try again"
        )


@dataclass(frozen=True)
class Problem:
    """One bad row or document in an import: where it is and what is wrong."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ImportRejected(StoreError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(
            f"import refused, nothing was imported: {count} problem{'s' if count != 1 else ''}"
        )


class ImportCollided(StoreError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"import refused, nothing was imported: another writer recorded the same cases "
            f"or events meanwhile ({detail}): run the import again"
        )


class CalendarRejected(StoreError):
    pass


class UnreadableFile(StoreError):
    pass


class DatabaseUnavailable(StoreError):
    pass
