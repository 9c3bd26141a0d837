"""Timeliness figures the way the national return counts them (statutory-rules.md §5.4).

A figure covers the deadlines of one ``measure`` (the column of ``TIMESCALES``: 6-week
decisions, 6-week advice, 20-week plans, 4-week review decisions, 12-week amendments)
that were *completed* in a period, by the date they were met, as SEN2 counts new plans
by the calendar year they were issued in. Two rates, as DfE publishes for 20-week plans:

* excluding exceptions (the headline): deadlines with a recorded exception are removed
  from numerator and denominator;
* including exceptions: every completed deadline counts, an exception case counting as
  on time only if it was in fact met within the limit.

``exceptions_recorded_late`` says how many of the exceptions were recorded after the
limit's date had passed (they still disapply it; docs/case-format.md §3.5), so a manager
can see how much of the headline rate rests on exceptions decided after the event.

"Within 20 weeks" is ``met_on <= trigger + 140 days`` (T1; the day-140 versus day-139
question A1 is open nationally, and this is the reading the rules file chooses).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from engine.rules import TIMESCALES
from engine.status import Deadline

MEASURES: dict[str, str] = {r.key: r.measure for r in TIMESCALES if r.measure is not None}


@dataclass(frozen=True)
class Figure:
    measure: str
    completed: int
    on_time: int
    with_exception: int
    on_time_with_exception: int
    still_open_overdue: int
    exceptions_recorded_late: int = 0

    @property
    def rate_excluding_exceptions(self) -> float | None:
        """Percent on time among completed deadlines with no recorded exception."""
        base = self.completed - self.with_exception
        return None if base == 0 else 100 * (self.on_time - self.on_time_with_exception) / base

    @property
    def rate_including_exceptions(self) -> float | None:
        """Percent on time among all completed deadlines."""
        return None if self.completed == 0 else 100 * self.on_time / self.completed


def timeliness(
    deadlines: Iterable[Deadline], start: dt.date, end: dt.date, as_of: dt.date
) -> dict[str, Figure]:
    """Figures per measure for deadlines met in ``[start, end]`` (closed interval).

    Args:
        deadlines: deadlines of any number of cases.
        start: first day of the period (e.g. 1 January).
        end: last day of the period.
        as_of: the day open deadlines are judged on, for the "overdue now" count.

    Returns:
        One ``Figure`` per measure in ``TIMESCALES``, keyed by measure name.
    """
    counts = {m: [0, 0, 0, 0, 0, 0] for m in MEASURES.values()}
    for deadline in deadlines:
        measure = MEASURES.get(deadline.key)
        if measure is None:
            continue
        row = counts[measure]
        if deadline.met_on is None:
            row[4] += deadline.due is not None and deadline.due < as_of
            continue
        if not start <= deadline.met_on <= end:
            continue
        in_time = deadline.met_on <= deadline.nominal
        excepted = deadline.exception is not None
        row[0] += 1
        row[1] += in_time
        row[2] += excepted
        row[3] += in_time and excepted
        recorded = deadline.exception_recorded_on
        row[5] += excepted and recorded is not None and recorded > deadline.nominal
    return {m: Figure(m, *row) for m, row in counts.items()}
