"""Use case: the timeliness report, as the system knew it on any day.

Figures are counted from the event log, never from a stored summary: each case's history
is projected afresh (``engine.project_deadlines``) and counted by ``engine.measures``.
"As at D" keeps only the events recorded by the end of D (Europe/London): an event or a
correction recorded later -- even one dated earlier -- does not change D's figures, and
the explanations carried by the report were written from that history alone, so they
cannot mention a later event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine

from db.reporting import StoredCase, stored_cases
from db.session import unit_of_work
from engine.deadlines import project_deadlines
from engine.errors import EngineError
from engine.events import LONDON, CaseEvent
from engine.measures import (
    BY_KEY,
    GROUPINGS,
    MEASURES,
    TIME_GROUPINGS,
    Breach,
    CaseFacts,
    Cell,
    Grouping,
    Measure,
    advice_sources,
    ageing,
    breaches,
    completed_items,
    open_items,
    period_bounds,
    period_end,
    tabulate,
)
from engine.targets import NO_TARGETS, InvalidTargets, Rag, Targets, parse_targets
from services.errors import InvalidInput, Refused, translated


@dataclass(frozen=True)
class Row:
    group: str
    measure: str
    label: str
    numerator: int
    denominator: int
    exceptions: int
    value: float | None  # percent, or weeks for the average
    target: float | None
    rag: Rag | None


@dataclass(frozen=True)
class TimelinessReport:
    start: dt.date
    end: dt.date
    as_of: dt.date  # the day open deadlines are judged on
    known_by: dt.datetime | None  # events recorded at or after this instant are left out
    authorities: tuple[str, ...]
    cases: int
    breakdowns: Mapping[Grouping, tuple[Row, ...]]
    breaches: tuple[Breach, ...]
    ageing: Mapping[int, int]  # weeks since the request -> open 20-week clocks (20 = 20+)
    snapshot_day: dt.date

    @property
    def measures(self) -> tuple[Measure, ...]:
        return MEASURES


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in London, in UTC: "as at D" keeps what came before."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LONDON).astimezone(dt.UTC)


def load_targets(path: Path | None) -> dict[str, Targets]:
    """Targets per authority from the YAML file at ``path`` (see ``engine.targets``);
    none when there is no file (``EHC_TIMELINESS_TARGETS_FILE`` unset).

    Raises:
        InvalidInput: the file is unreadable or malformed (saying where).
    """
    if path is None:
        return {}
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return parse_targets(data)
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read the targets file {path}: {exc}") from None
    except InvalidTargets as exc:
        raise InvalidInput(f"{path}: {exc}") from None


def known_cases(
    stored: Sequence[StoredCase], known_by: dt.datetime | None
) -> list[tuple[StoredCase, tuple[CaseEvent, ...]]]:
    """Each case with the events it had when ``known_by`` came (all of them when None);
    cases with no events by then are left out."""
    result = []
    for case in stored:
        events = tuple(
            r.event for r in case.records if known_by is None or r.recorded_at < known_by
        )
        if events:
            result.append((case, events))
    return result


def case_facts(stored: Sequence[StoredCase], known_by: dt.datetime | None) -> list[CaseFacts]:
    """Project every case's history as known at ``known_by``.

    Raises:
        Refused: a stored history the engine cannot project (names the case).
    """
    facts = []
    for case, events in known_cases(stored, known_by):
        try:
            deadlines = project_deadlines(events, case.calendar)
        except EngineError as exc:
            raise Refused(f"case {case.reference}: {exc.reason}") from None
        facts.append(CaseFacts(case.reference, case.authority, case.team, case.caseworker,
                               deadlines, advice_sources(events)))
    return facts


def timeliness_report(
    engine: Engine,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    as_at: dt.date | None = None,
    la_code: str | None = None,
    team: str | None = None,
    targets: Mapping[str, Targets] | None = None,
) -> TimelinessReport:
    """Every measure for ``[start, end]``, in every breakdown, against each authority's targets.

    Args:
        engine: the store (read in one unit of work).
        start: first day of the period.
        end: last day of the period.
        as_of: the day open deadlines are judged on (today, for a current report).
        as_at: report as the system knew it at the end of this day; it is then also the
            day open deadlines are judged on.
        la_code: only this authority's cases.
        team: only this team's cases.
        targets: trajectories per authority code.

    Raises:
        InvalidInput: the period ends before it starts.
        NotFound: an unknown authority or team.
    """
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start})")
    known_by = end_of_day(as_at) if as_at is not None else None
    judged = as_at or as_of
    with translated(), unit_of_work(engine) as session:
        stored = stored_cases(session, la_code=la_code, team=team)
    facts = case_facts(stored, known_by)
    authorities = tuple(sorted({case.authority for case in facts}))
    snapshot = min(end, judged)
    completed = completed_items(facts, start, end)
    breakdowns: dict[Grouping, tuple[Row, ...]] = {}
    for by in GROUPINGS:
        items = completed + open_items(facts, _snapshots(by, start, end, judged))
        breakdowns[by] = tuple(
            _row(cell, by, end, authorities, targets or {}) for cell in tabulate(items, by)
        )
    now_open = open_items(facts, [snapshot])
    return TimelinessReport(
        start=start, end=end, as_of=judged, known_by=known_by, authorities=authorities,
        cases=len(facts), breakdowns=breakdowns,
        breaches=tuple(breaches(facts, start, snapshot)),
        ageing=ageing(now_open),
        snapshot_day=snapshot,
    )


def _snapshots(by: Grouping, start: dt.date, end: dt.date, judged: dt.date) -> list[dt.date]:
    """The days the open caseload is counted on: each period's last day (none after
    ``judged``), or the report's last day for the other breakdowns."""
    if by not in TIME_GROUPINGS:
        return [min(end, judged)] if start <= judged else []
    days = []
    day = start
    while day <= min(end, judged):
        last = min(period_end(by, day), end, judged)
        days.append(last)
        day = last + dt.timedelta(days=1)
    return days


def _row(
    cell: Cell, by: Grouping, end: dt.date, authorities: tuple[str, ...],
    targets: Mapping[str, Targets],
) -> Row:
    bounds = period_bounds(by, cell.group)
    day = min(bounds[1], end) if bounds else end
    if by == "authority":
        chosen = targets.get(cell.group, NO_TARGETS)
    else:
        chosen = targets.get(authorities[0], NO_TARGETS) if len(authorities) == 1 else NO_TARGETS
    return Row(
        cell.group, cell.measure, BY_KEY[cell.measure].label, cell.numerator, cell.denominator,
        cell.exceptions, cell.value, chosen.target_on(cell.measure, day),
        chosen.rag(cell.measure, cell.value, day),
    )

