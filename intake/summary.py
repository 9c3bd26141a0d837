"""What an imported caseload looks like to its manager, from its projected deadlines:
open assessments by week of the 20-week clock, annual reviews overdue or due soon, and
plans by phase-transfer cohort (amended by the day before 15 February / 31 March)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from engine.status import Deadline

SUMMARY_KEYS = ("final_plan_due", "annual_review_due", "phase_transfer_last_day")
# Weeks of the 20-week clock, as managers speak of them: the 6-week decision, advice by
# week 12, the draft by week 16, the plan by week 20.
WEEK_BANDS = ((1, 6), (7, 12), (13, 16), (17, 20))
REVIEW_SOON_DAYS = 56


@dataclass(frozen=True)
class CaseloadSummary:
    as_of: dt.date
    assessments_by_week: tuple[tuple[str, int], ...]  # ("weeks 1-6", n) ... ("past week 20", n)
    assessments_disapplied: int  # the 20 weeks disapplied by a recorded exception
    reviews_overdue: int
    reviews_due_soon: int  # within REVIEW_SOON_DAYS
    transfer_cohorts: tuple[tuple[dt.date, int, int], ...]  # (amend by, plans, already met)


def summarise(deadlines: Iterable[Deadline], as_of: dt.date) -> CaseloadSummary:
    bands: Counter[str] = Counter()
    disapplied = overdue = soon = 0
    cohorts: dict[dt.date, list[int]] = {}
    for deadline in deadlines:
        if deadline.key == "final_plan_due" and deadline.met_on is None:
            if deadline.due is None:
                disapplied += 1
            else:
                bands[_band((as_of - deadline.trigger_date).days // 7 + 1)] += 1
        elif deadline.key == "annual_review_due" and deadline.met_on is None and deadline.due:
            overdue += deadline.due < as_of
            soon += as_of <= deadline.due <= as_of + dt.timedelta(days=REVIEW_SOON_DAYS)
        elif deadline.key == "phase_transfer_last_day":
            counts = cohorts.setdefault(deadline.nominal, [0, 0])
            counts[0] += 1
            counts[1] += deadline.met_on is not None
    names = [f"weeks {a}-{b}" for a, b in WEEK_BANDS] + ["past week 20"]
    return CaseloadSummary(
        as_of, tuple((name, bands[name]) for name in names), disapplied, overdue, soon,
        tuple((day, n, met) for day, (n, met) in sorted(cohorts.items())),
    )


def _band(week: int) -> str:
    for first, last in WEEK_BANDS:
        if week <= last:
            return f"weeks {first}-{last}"
    return "past week 20"
