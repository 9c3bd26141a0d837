"""What the data-quality report can say about a row, as data, and the planned cases.

Each kind of issue has a severity: ``impossible`` and ``unreadable`` block the import
(all or nothing: nothing is written while any remains); ``missing`` and ``inferred``
are told, so the data officer can check them, and do not block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["impossible", "unreadable", "missing", "inferred"]
BLOCKING: frozenset[Severity] = frozenset({"impossible", "unreadable"})


@dataclass(frozen=True)
class Kind:
    severity: Severity
    title: str  # the totals line


KINDS: Mapping[str, Kind] = {
    "bad_date": Kind("unreadable", "a date that cannot be read"),
    "unknown_word": Kind("unreadable", "a word the mapping does not know"),
    "no_reference": Kind("unreadable", "a row without a case reference"),
    "repeated_reference": Kind("impossible", "a case reference on two rows"),
    "out_of_order": Kind("impossible", "an event dated before what it follows"),
    "not_possible": Kind("impossible", "an event the case's stage does not allow"),
    "without_its_step": Kind("impossible", "a step recorded without the step it follows"),
    "in_the_future": Kind("impossible", "a date after today"),
    "before_the_act": Kind("impossible", "a date before 1 September 2014 (not marked history)"),
    "refused_by_store": Kind("impossible", "refused against the case store"),
    "invalid_event": Kind("unreadable", "an event the vocabulary refuses"),
    "no_organisation": Kind("impossible", "health or other advice without its organisation"),
    "missing_outcome": Kind("missing", "a decision date without its outcome (left out)"),
    "missing_date": Kind("missing", "an outcome without its date (left out)"),
    "not_in_return": Kind("missing", "what the SEN2 return cannot say"),
    "inferred_outcome": Kind("inferred", "an outcome inferred from the later steps"),
    "inferred_method": Kind("inferred", "how a draft was served (the file does not say)"),
    "inferred_transfer": Kind("inferred", "a phase transfer inferred from the year group"),
    "serial_date": Kind("inferred", "a date read from an Excel serial number"),
    "history": Kind("inferred", "a date before the current rules, imported as history"),
}


@dataclass(frozen=True)
class Issue:
    row: int | None  # the sheet's row (or the return's person); None: the whole file
    column: str | None  # "F (Final plan issued)", or an XML element
    kind: str
    message: str

    @property
    def severity(self) -> Severity:
        return KINDS[self.kind].severity

    @property
    def blocking(self) -> bool:
        return self.severity in BLOCKING


@dataclass(frozen=True)
class PlannedEvent:
    data: Mapping[str, Any]  # the event as the import format takes it
    column: str | None  # where its date came from


@dataclass(frozen=True)
class PlannedCase:
    row: int
    reference: str
    process: str
    caseworker: str | None
    team: str | None
    events: tuple[PlannedEvent, ...]
    issues: tuple[Issue, ...]

    @property
    def blocked(self) -> bool:
        return any(issue.blocking for issue in self.issues)
