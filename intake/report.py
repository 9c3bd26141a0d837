"""The data-quality report: every planned case with its issues, and totals by kind.

The same report comes out of a dry run and a real run; a real run writes only when no
issue in it blocks (``intake.issues.BLOCKING``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from intake.issues import KINDS, Issue, PlannedCase, Severity

SEVERITY_ORDER: tuple[Severity, ...] = ("impossible", "unreadable", "missing", "inferred")


@dataclass(frozen=True)
class Total:
    kind: str
    severity: Severity
    title: str
    count: int


@dataclass(frozen=True)
class QualityReport:
    source: str  # "caseload.xlsx, sheet Caseload"
    unit: str  # what a row number counts: "row" (a sheet) or "person" (a SEN2 return)
    cases: tuple[PlannedCase, ...]
    issues: tuple[Issue, ...]  # the cases' issues, the file's and the store's, in row order

    @property
    def blocking(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.blocking)

    @property
    def events(self) -> int:
        return sum(len(case.events) for case in self.cases)

    def totals(self) -> list[Total]:
        counts = Counter(issue.kind for issue in self.issues)
        return sorted(
            (Total(kind, KINDS[kind].severity, KINDS[kind].title, n)
             for kind, n in counts.items()),
            key=lambda t: (SEVERITY_ORDER.index(t.severity), -t.count, t.kind),
        )

    def of_row(self, row: int) -> list[Issue]:
        return [issue for issue in self.issues if issue.row == row]


def build_report(source: str, unit: str, cases: Sequence[PlannedCase],
                 more: Sequence[Issue] = ()) -> QualityReport:
    """The report over ``cases``, with ``more`` (the file's, the store's) merged in row order."""
    issues = [issue for case in cases for issue in case.issues] + list(more)
    issues.sort(key=lambda i: (i.row if i.row is not None else -1,
                               SEVERITY_ORDER.index(i.severity)))
    return QualityReport(source, unit, tuple(cases), tuple(issues))
