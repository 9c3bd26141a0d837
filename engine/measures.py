"""MEASURES: the timeliness figures a SEND service is judged on, each one row of data.

Each row names its statutory basis, the projected deadline it counts (``deadline_key``),
its numerator and denominator in words, the date that puts a case in a period
(``period_date``) and how recorded exceptions count (``exceptions``).
``completed_items`` and ``open_items`` turn projected deadlines into one ``Item`` per
case and measure; ``tabulate`` groups the items (by month, quarter, year, team,
caseworker, authority, adviser...) into ``Cell`` figures. docs/reporting.md says how
this counting matches the DfE's (statutory-rules.md §5.4, §9).

Period dates:

* ``met_on``: a completed step counts in the period it was completed (a new plan in the
  calendar year it was issued, as SEN2 counts);
* ``nominal``: a fixed-date duty counts in the period of its statutory date (the 15
  February / 31 March phase transfers of that year's cohort);
* ``snapshot``: the open caseload as it stood at the end of each period (or ``as_of``,
  if earlier): reviews overdue, 20-week clocks still running and their age.

Exceptions: ``excluded`` removes a case with a recorded exception from numerator and
denominator (the DfE headline); ``included`` keeps it, on time only if it really was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from engine.events import AdviceRequested, CaseEvent, event_date
from engine.status import Deadline

PeriodDate = Literal["met_on", "nominal", "snapshot"]
Exceptions = Literal["excluded", "included"]
Statistic = Literal["rate", "mean_weeks", "count"]
WEEK_20 = 140  # T1: within 20 weeks = on or before trigger + 140 days (A1)
YEAR = 364  # DfE's "within a year" band: 52 weeks [verify: DfE's exact day count]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    basis: str
    deadline_key: str
    numerator: str
    denominator: str
    period_date: PeriodDate
    exceptions: Exceptions
    statistic: Statistic = "rate"
    # The elapsed days (trigger to completion) the numerator admits: (low, high], for bands.
    band: tuple[int, int | None] | None = None
    nominal_month: int | None = None  # phase transfers: 2 = 15 February, 3 = 31 March
    higher_is_better: bool = True


_REQUEST = "the request for assessment (or s.24 responsibility)"
MEASURES: tuple[Measure, ...] = (
    Measure("decision_6_weeks", "decisions whether to assess within 6 weeks",
            "SEND Regs 2014 reg 5(1), reg 4(1) (R01)", "decision_to_assess_due",
            "decisions notified on or before trigger + 42 days",
            "decisions notified in the period, less those with a reg 5(4) exception",
            "met_on", "excluded"),
    Measure("advice_6_weeks", "advice within 6 weeks",
            "SEND Regs 2014 reg 8(1) (R02)", "advice_due",
            "advice received on or before its request's receipt + 42 days",
            "advice received in the period, less requests with a reg 8(2) exception",
            "met_on", "excluded"),
    Measure("plan_20_weeks_excl", "new plans within 20 weeks, excluding exceptions",
            "SEND Regs 2014 reg 13(2) (R06); DfE SEN2 headline", "final_plan_due",
            f"plans issued on or before {_REQUEST} + 140 days",
            "plans issued in the period with no recorded reg 13(3) exception",
            "met_on", "excluded", band=(-1, WEEK_20)),
    Measure("plan_20_weeks_incl", "new plans within 20 weeks, including exceptions",
            "SEND Regs 2014 reg 13(2) (R06); DfE SEN2", "final_plan_due",
            f"plans issued on or before {_REQUEST} + 140 days",
            "every plan issued in the period", "met_on", "included", band=(-1, WEEK_20)),
    Measure("plan_20_to_52_weeks", "new plans after 20 weeks, within a year",
            "DfE SEN2 (published from reporting year 2025)", "final_plan_due",
            "plans issued 141 to 364 days after the request",
            "every plan issued in the period", "met_on", "included", band=(WEEK_20, YEAR),
            higher_is_better=False),
    Measure("plan_over_52_weeks", "new plans after more than a year",
            "DfE SEN2 (published from reporting year 2025)", "final_plan_due",
            "plans issued more than 364 days after the request",
            "every plan issued in the period", "met_on", "included", band=(YEAR, None),
            higher_is_better=False),
    Measure("plan_average_weeks", "average weeks from request to new plan",
            "DfE SEN2 (published from reporting year 2025)", "final_plan_due",
            "sum of (issue date - request date) / 7", "every plan issued in the period",
            "met_on", "included", statistic="mean_weeks", higher_is_better=False),
    Measure("review_decision_4_weeks", "review decisions within 4 weeks of the meeting",
            "SEND Regs 2014 reg 20(10), 21 (R11)", "review_decision_due",
            "decisions notified on or before the meeting + 28 days",
            "review decisions notified in the period", "met_on", "excluded"),
    Measure("amendment_12_weeks", "amended plans within 12 weeks of the review meeting",
            "SEND Regs 2014 reg 22(3); Devon [2022] EWHC 493 (R12c)",
            "amended_plan_devon_backstop",
            "amended plans (or decisions not to amend) on or before the meeting + 84 days",
            "amended plans issued in the period", "met_on", "excluded"),
    Measure("phase_transfer_15_feb", "phase transfers amended before 15 February",
            "SEND Regs 2014 reg 18(1)(b) (R13; A6: last day 14 February)",
            "phase_transfer_last_day",
            "plans amended (or kept unchanged) in the 12 months before the transfer, by 14 Feb",
            "transfers whose 15 February falls in the period (the year's cohort)",
            "nominal", "excluded", nominal_month=2),
    Measure("phase_transfer_31_mar", "secondary to post-16 transfers amended before 31 March",
            "SEND Regs 2014 reg 18(1)(a) (R13; A6: last day 30 March)",
            "phase_transfer_last_day",
            "plans amended (or kept unchanged) in the 12 months before the transfer, by 30 Mar",
            "transfers whose 31 March falls in the period (the year's cohort)",
            "nominal", "excluded", nominal_month=3),
    Measure("reviews_overdue", "annual reviews overdue",
            "CFA 2014 s.44(1) (R07)", "annual_review_due",
            "annual review clocks open and past their date at the snapshot day",
            "annual review clocks open at the snapshot day", "snapshot", "included",
            higher_is_better=False),
    Measure("open_assessments_past_20_weeks", "open assessments past 20 weeks",
            "SEND Regs 2014 reg 13(2) (R06)", "final_plan_due",
            "20-week clocks still open and past trigger + 140 days at the snapshot day",
            "20-week clocks open at the snapshot day (exceptions included)", "snapshot",
            "included", higher_is_better=False),
)
BY_KEY: Mapping[str, Measure] = {m.key: m for m in MEASURES}
_BY_DEADLINE: Mapping[str, tuple[Measure, ...]] = {
    key: tuple(m for m in MEASURES if m.deadline_key == key)
    for key in {m.deadline_key for m in MEASURES}
}
Grouping = Literal[
    "total", "month", "quarter", "year", "authority", "team", "caseworker", "adviser",
    "organisation",
]
TIME_GROUPINGS: tuple[Grouping, ...] = ("month", "quarter", "year")
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)


@dataclass(frozen=True)
class AdviceSource:
    """Who was asked for one piece of advice: the adviser type and their organisation."""

    advisor: str
    organisation: str


@dataclass(frozen=True)
class CaseFacts:
    """One case as the figures need it: where it sits, and what its history implies."""

    reference: str
    authority: str
    team: str
    caseworker: str
    deadlines: tuple[Deadline, ...]
    advice: Mapping[str, AdviceSource] = field(default_factory=dict)  # advice_due instance


@dataclass(frozen=True)
class Item:
    """One case's contribution to one measure: in the denominator or not, and whether met."""

    measure: str
    case: str
    instance: str
    authority: str
    team: str
    caseworker: str
    on: dt.date  # the date that puts it in a period (completion, fixed date or snapshot)
    counted: bool  # in the denominator
    met: bool  # in the numerator
    days: int | None  # trigger to completion (or to the snapshot day)
    exception: str | None
    advisor: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class Cell:
    """One figure for one group: ``value`` is a percentage or a mean in weeks."""

    group: str
    measure: str
    numerator: int
    denominator: int
    exceptions: int  # left out of the denominator (excluded-exception measures only)
    value: float | None


def advice_sources(history: Iterable[CaseEvent]) -> dict[str, AdviceSource]:
    """Adviser type and organisation per ``advice_due`` instance (``engine.clocks`` names
    instances by advice id, else adviser and date). The organisation is the request's
    ``organisation``, else its ``school``, else "not recorded"."""
    sources: dict[str, AdviceSource] = {}
    for event in history:
        if not isinstance(event, AdviceRequested):
            continue
        base = event.advice_id or f"{event.advisor}-{event_date(event).isoformat()}"
        name, n = base, 1
        while name in sources:
            n += 1
            name = f"{base}#{n}"
        organisation = event.organisation or event.school or "not recorded"
        sources[name] = AdviceSource(event.advisor, organisation)
    return sources


def completed_items(cases: Iterable[CaseFacts], start: dt.date, end: dt.date) -> list[Item]:
    """Every case's contribution to the measures counted by completion or statutory date,
    for the closed period ``[start, end]``.

    Args:
        cases: the cases counted (their deadlines judged as the history stood).
        start: first day of the period.
        end: last day of the period.

    Returns:
        Items of those measures; ``tabulate`` groups them.
    """
    items: list[Item] = []
    for case in cases:
        for deadline in case.deadlines:
            for measure in _BY_DEADLINE.get(deadline.key, ()):
                if measure.period_date != "snapshot":
                    item = _completed(measure, case, deadline, start, end)
                    if item is not None:
                        items.append(item)
    return items


def open_items(cases: Iterable[CaseFacts], snapshots: Sequence[dt.date]) -> list[Item]:
    """Every case's contribution to the snapshot measures (overdue reviews, open
    assessments) on each of the ``snapshots`` days (one per reported period)."""
    items: list[Item] = []
    for case in cases:
        for deadline in case.deadlines:
            for measure in _BY_DEADLINE.get(deadline.key, ()):
                if measure.period_date == "snapshot":
                    items.extend(_snapshot(measure, case, deadline, day)
                                 for day in snapshots if _open_on(deadline, day))
    return items


def _item(
    measure: Measure, case: CaseFacts, deadline: Deadline, on: dt.date, *, counted: bool,
    met: bool, days: int | None,
) -> Item:
    source = case.advice.get(deadline.instance) if deadline.key == "advice_due" else None
    return Item(
        measure.key, case.reference, deadline.instance, case.authority, case.team,
        case.caseworker, on, counted, met, days, deadline.exception,
        source.advisor if source else None, source.organisation if source else None,
    )


def _completed(
    measure: Measure, case: CaseFacts, deadline: Deadline, start: dt.date, end: dt.date
) -> Item | None:
    if measure.period_date == "nominal":
        if deadline.nominal.month != measure.nominal_month:
            return None
        on = deadline.nominal
        done = deadline.met_on is not None and deadline.met_on <= deadline.nominal
    else:
        if deadline.met_on is None:
            return None
        on = deadline.met_on
        done = deadline.met_on <= deadline.nominal
    if not start <= on <= end:
        return None
    days = (deadline.met_on - deadline.trigger_date).days if deadline.met_on else None
    if measure.band is not None and days is not None:
        low, high = measure.band
        done = days > low and (high is None or days <= high)
    counted = not (measure.exceptions == "excluded" and deadline.exception is not None)
    return _item(measure, case, deadline, on, counted=counted, met=done, days=days)


def _open_on(deadline: Deadline, day: dt.date) -> bool:
    return deadline.trigger_date <= day and (deadline.met_on is None or deadline.met_on > day)


def _snapshot(measure: Measure, case: CaseFacts, deadline: Deadline, day: dt.date) -> Item:
    overdue = deadline.nominal < day
    if measure.key == "reviews_overdue":
        overdue = deadline.due is not None and deadline.due < day
    days = (day - deadline.trigger_date).days
    return _item(measure, case, deadline, day, counted=True, met=overdue, days=days)


def month_of(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


GROUP_KEYS: Mapping[Grouping, Callable[[Item], str]] = {
    "total": lambda item: "all",
    "month": lambda item: month_of(item.on),
    "quarter": lambda item: quarter_of(item.on),
    "year": lambda item: str(item.on.year),
    "authority": lambda item: item.authority,
    "team": lambda item: item.team,
    "caseworker": lambda item: item.caseworker,
    "adviser": lambda item: item.advisor or "",
    "organisation": lambda item: item.organisation or "",
}


def period_end(by: Grouping, day: dt.date) -> dt.date:
    """The last day of the month, quarter or year ``day`` falls in."""
    if by == "year":
        return dt.date(day.year, 12, 31)
    months = 3 if by == "quarter" else 1
    first = day.month - (day.month - 1) % months if by == "quarter" else day.month
    year, month = divmod(first - 1 + months, 12)
    return dt.date(day.year + year, month + 1, 1) - dt.timedelta(days=1)


def period_bounds(by: Grouping, group: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a time group's label ("2026-03", "2026-Q1", "2026")."""
    if by not in TIME_GROUPINGS:
        return None
    if by == "year":
        year = int(group)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    year_text, _, rest = group.partition("-")
    month = (int(rest[1:]) - 1) * 3 + 1 if by == "quarter" else int(rest)
    first = dt.date(int(year_text), month, 1)
    return first, period_end(by, first)


def tabulate(items: Iterable[Item], by: Grouping) -> list[Cell]:
    """One ``Cell`` per group and measure, in measure order then group order.

    Adviser and organisation groupings cover the advice measure only (the others have no
    adviser). A time grouping counts snapshot measures on each period's own snapshot day.
    """
    key = GROUP_KEYS[by]
    buckets: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        group = key(item)
        if by in ("adviser", "organisation") and not group:
            continue
        buckets.setdefault((item.measure, group), []).append(item)
    order = {m.key: i for i, m in enumerate(MEASURES)}
    cells = [_cell(group, BY_KEY[m], members) for (m, group), members in buckets.items()]
    return sorted(cells, key=lambda c: (order[c.measure], c.group))


def _cell(group: str, measure: Measure, items: Sequence[Item]) -> Cell:
    counted = [item for item in items if item.counted]
    met = sum(item.met for item in counted)
    value: float | None
    if measure.statistic == "mean_weeks":
        days = [item.days for item in counted if item.days is not None]
        value = sum(days) / len(days) / 7 if days else None
        met = len(days)
    else:
        value = 100 * met / len(counted) if counted else None
    return Cell(group, measure.key, met, len(counted), len(items) - len(counted), value)


@dataclass(frozen=True)
class Breach:
    """A 20-week breach and the late step before it that it is attributed to."""

    case: str
    authority: str
    team: str
    caseworker: str
    request_on: dt.date
    due: dt.date
    issued_on: dt.date | None  # None: still open at the snapshot day
    cause: str
    late_steps: tuple[str, ...]
    explanation: str


def breaches(cases: Iterable[CaseFacts], start: dt.date, end: dt.date) -> list[Breach]:
    """20-week breaches: plans issued late in ``[start, end]``, and clocks still open and
    past their date on ``end``. Plans with a recorded exception have no date to breach.

    Each is attributed to the late step before it that finished last (the decision to
    assess, or one adviser's advice): the one the plan was still waiting for. A step is
    late if it was done after its date, or was still outstanding when the plan was issued
    (or on ``end``). No such step: "no late step before it" (the delay was in drafting,
    consultation or finalising).
    """
    found: list[Breach] = []
    for case in cases:
        for plan in case.deadlines:
            if plan.key != "final_plan_due" or plan.due is None or plan.trigger_date > end:
                continue
            if plan.met_on is not None and not (start <= plan.met_on <= end):
                continue
            if plan.met_on is not None and plan.met_on <= plan.due:
                continue
            if plan.met_on is None and plan.due >= end:
                continue
            found.append(_attributed(case, plan, plan.met_on or end))
    return found


def _attributed(case: CaseFacts, plan: Deadline, by: dt.date) -> Breach:
    late: list[tuple[dt.date, str]] = []
    for step in case.deadlines:
        if step.key not in ("decision_to_assess_due", "advice_due"):
            continue
        if step.trigger_date < plan.trigger_date or step.trigger_date > by:
            continue
        finished = step.met_on if step.met_on is not None and step.met_on <= by else None
        if finished is not None and finished <= step.nominal:
            continue
        if finished is None and step.nominal >= by:
            continue
        if step.key == "decision_to_assess_due":
            label = "late decision whether to assess"
        else:
            source = case.advice.get(step.instance)
            who = f"{source.advisor} ({source.organisation})" if source else step.instance
            label = f"late advice: {who}"
        late.append((finished or by, label))
    late.sort()
    cause = late[-1][1] if late else "no late step before it"
    return Breach(
        case.reference, case.authority, case.team, case.caseworker, plan.trigger_date,
        plan.nominal, plan.met_on, cause, tuple(label for _, label in late), plan.explanation,
    )


def ageing(items: Iterable[Item], *, weeks: int = 20) -> dict[int, int]:
    """Open 20-week clocks by completed weeks since the request (``weeks`` = past 20)."""
    counts = dict.fromkeys(range(weeks + 1), 0)
    for item in items:
        if item.measure == "open_assessments_past_20_weeks" and item.days is not None:
            counts[min(item.days // 7, weeks)] += 1
    return counts
