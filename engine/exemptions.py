"""The lawful exceptions (statutory-rules.md §5): which apply, and which are available.

An exception *applies* only when the LA records it (``exception_recorded``); the engine
never infers one from the calendar. It does say when one is *available* - advice asked
of a head teacher inside a long closure window, an absence from the area of 4 weeks or
more, an appointment not kept - so the caseworker can decide and record it.

Recorded at the wrong time (docs/case-format.md §3.5, never silent):

* before the clock it names started, or after that limit was met: not applied, and a
  warning on that clock's deadline (or on the case, when there is no such clock);
* after the limit's date had passed: applied (the ground is a fact about the period, and
  the LA may decide it late), with a warning, and counted as recorded late in the
  timeliness figures (``Deadline.exception_recorded_on``);
* a closure ground the calendar and history do not show (no qualifying closure window
  covers an advice request to that school): applied, the LA having decided it, with a
  warning that the engine cannot confirm it.

``Evidence`` indexes the history once per projection, so looking up a clock's exceptions
does not rescan the history (the projection stays linear in the number of events).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from calendars.base import Closure, WorkingCalendar
from calendars.service import qualifying_closures
from engine.clocks import Clock
from engine.errors import InvalidHistory
from engine.events import (
    AbsenceFromArea,
    AdviceRequested,
    AppointmentNotKept,
    CaseEvent,
    ExceptionRecorded,
    SchoolClosure,
)
from engine.periods import long_date
from engine.rules import CLOCK_GROUNDS

COVID_FROM, COVID_TO = dt.date(2020, 5, 1), dt.date(2020, 9, 25)  # SI 2020/471 (§5.3)
FOUR_WEEKS = dt.timedelta(weeks=4)
# Ground prefix for each clock the reg 10(4) list applies to (reg 5(4), 10(4), 13(3), 27(3)).
LIST_PREFIX = {
    "decision_to_assess": "reg5_4",
    "decision_not_to_issue": "reg10_4",
    "final_plan": "reg13_3",
    "reassessment_final_plan": "reg27_3",
}
SCHOOL_ADVISERS = {"head_teacher", "principal", "school", "senco", "college"}
EARLY_YEARS_ADVISERS = {"early_years", "early_years_provider", "early_years_senco"}


def check_grounds(index: int, event: ExceptionRecorded) -> None:
    """Refuse a ground recorded against a clock it cannot disapply (§5.1 scope per clock)."""
    if event.ground == "covid_2020" and not COVID_FROM <= event.date <= COVID_TO:
        raise InvalidHistory(
            f"the coronavirus exception (SI 2020/471) applied only from {COVID_FROM} to "
            f"{COVID_TO}; it cannot be recorded on {event.date}",
            index=index,
        )
    for clock in event.applies_to:
        allowed = CLOCK_GROUNDS.get(clock, ())
        if event.ground != "covid_2020" and not event.ground.startswith(allowed):
            raise InvalidHistory(
                f"exception ground {event.ground} cannot disapply the {clock} limit; "
                f"only grounds starting {' or '.join(allowed)} can",
                index=index,
            )


@dataclass
class Evidence:
    """The history's exceptions and the facts that make grounds available, indexed once.

    ``applied`` records which exception events disapplied some clock, so the ones that
    disapplied nothing can be reported (``unapplied``).
    """

    events: Sequence[CaseEvent]
    by_clock: dict[str, list[ExceptionRecorded]] = field(default_factory=dict)
    absences: list[AbsenceFromArea] = field(default_factory=list)
    appointments: list[AppointmentNotKept] = field(default_factory=list)
    advice_requests: list[AdviceRequested] = field(default_factory=list)
    closures: list[SchoolClosure] = field(default_factory=list)
    applied: set[int] = field(default_factory=set)
    # id(exception) -> why it did not apply, and the clock it came nearest to
    near_misses: dict[int, tuple[str, Clock]] = field(default_factory=dict)
    # id(advice request) -> whether a qualifying closure covers it (each assessment clock
    # asks about the same requests: worked out once per request)
    closed: dict[int, bool] = field(default_factory=dict)

    @classmethod
    def of(cls, events: Sequence[CaseEvent]) -> Evidence:
        evidence = cls(events)
        by_clock: defaultdict[str, list[ExceptionRecorded]] = defaultdict(list)
        for event in events:
            if isinstance(event, ExceptionRecorded):
                for name in event.applies_to:
                    by_clock[name].append(event)
            elif isinstance(event, AbsenceFromArea):
                evidence.absences.append(event)
            elif isinstance(event, AppointmentNotKept):
                evidence.appointments.append(event)
            elif isinstance(event, AdviceRequested):
                evidence.advice_requests.append(event)
            elif isinstance(event, SchoolClosure):
                evidence.closures.append(event)
        evidence.by_clock = dict(by_clock)
        return evidence

    def exceptions(self) -> list[ExceptionRecorded]:
        unique = {id(e): e for named in self.by_clock.values() for e in named}
        return list(unique.values())


def recorded(clock: Clock, evidence: Evidence) -> ExceptionRecorded | None:
    """The recorded exception that disapplies ``clock``, if any.

    It must name the clock, be recorded on or after the clock started and not after it was
    met, and (for advice) name that request or adviser, or none. An exception that names
    the clock but was recorded outside that span is remembered with the reason, for the
    warning.
    """
    name = clock.rule.scope
    if name is None:
        return None
    for event in evidence.by_clock.get(name, ()):
        if name == "advice" and not _names_request(event, clock.trigger):
            continue
        if event.date < clock.start:
            evidence.near_misses.setdefault(id(event), (
                f"it was recorded on {long_date(event.date)}, before the {name} clock it names "
                f"started on {long_date(clock.start)}; record it again once the clock runs",
                clock,
            ))
            continue
        if clock.met_on and event.date > clock.met_on:
            evidence.near_misses.setdefault(id(event), (
                f"it was recorded on {long_date(event.date)}, after the {name} limit was met "
                f"on {long_date(clock.met_on)}",
                clock,
            ))
            continue
        if event.ground == "covid_2020" and not _overlaps(clock, COVID_FROM, COVID_TO):
            continue
        evidence.applied.add(id(event))
        return event
    return None


def wrong_time(
    clock: Clock, exception: ExceptionRecorded, available_grounds: tuple[str, ...]
) -> None:
    """Warn on an applied exception recorded after the limit, or on a ground the calendar
    and history do not show."""
    if exception.date > clock.nominal:
        clock.warnings.append(
            f"the exception ({exception.ground}) was recorded on {long_date(exception.date)}, "
            f"after this limit's date ({long_date(clock.nominal)}): it still disapplies the "
            "limit, and the timeliness figures count it as recorded late"
        )
    closure = exception.ground.endswith(("_a_school_closure", "_b_early_years_closure"))
    if closure and exception.ground not in available_grounds:
        clock.warnings.append(
            f"the exception ground {exception.ground} is recorded, but no closure of 4 weeks "
            "or more on the calendar or in the history covers an advice request to that "
            "school or setting: check the closure dates and the request"
        )


def unapplied(evidence: Evidence) -> list[tuple[ExceptionRecorded, str, Clock | None]]:
    """Exceptions that disapplied no clock at all, each with the reason and the clock it
    came nearest to (its deadline carries the warning too)."""
    found = []
    for event in evidence.exceptions():
        if id(event) in evidence.applied:
            continue
        reason, clock = evidence.near_misses.get(id(event), (
            f"no {' or '.join(event.applies_to)} clock it can apply to is on file", None
        ))
        found.append((event, reason, clock))
    return found


def available(
    clock: Clock, evidence: Evidence, calendar: WorkingCalendar
) -> tuple[str, ...]:
    """Grounds the history makes available for ``clock`` (for the LA to decide on)."""
    name = clock.rule.scope
    if name is None:
        return ()
    found: list[str] = []
    if _overlaps(clock, COVID_FROM, COVID_TO):
        found.append("covid_2020")
    absent = any(
        _overlap_days(clock, e.from_, e.to) >= FOUR_WEEKS for e in evidence.absences
    )
    if name == "advice":
        if absent:
            found.append("reg8_2_b_absent_4_weeks")
        if any(_missed_appointment(e, clock) for e in evidence.appointments):
            found.append("reg8_2_c_appointment_not_kept")
        return tuple(found)
    prefix = LIST_PREFIX[name]
    found.extend(f"{prefix}_{g}" for g in _closure_grounds(clock, evidence, calendar))
    if absent:
        found.append(f"{prefix}_d_absent_4_weeks")
    return tuple(found)


def _closure_grounds(
    clock: Clock, evidence: Evidence, calendar: WorkingCalendar
) -> list[str]:
    """Reg 10(4)(a)/(b): advice asked of the school/early-years setting inside its window."""
    grounds = []
    for event in evidence.advice_requests:
        if not clock.start <= event.date <= clock.nominal:
            continue
        if event.advisor in SCHOOL_ADVISERS:
            letter = "a_school_closure"
        elif event.advisor in EARLY_YEARS_ADVISERS:
            letter = "b_early_years_closure"
        else:
            continue
        if id(event) not in evidence.closed:
            evidence.closed[id(event)] = bool(
                qualifying_closures(_closures(event.school, evidence, calendar), event.date)
            )
        if evidence.closed[id(event)]:
            grounds.append(letter)
    return sorted(set(grounds))


def _closures(
    school: str | None, evidence: Evidence, calendar: WorkingCalendar
) -> list[Closure]:
    """The calendar's closures for ``school`` plus any recorded in the history itself."""
    recorded_here = [
        Closure(e.school, e.closed_from, e.reopens_on, "case history")
        for e in evidence.closures
        if school is None or e.school == school
    ]
    return [*calendar.closures(school), *recorded_here]


def _missed_appointment(event: AppointmentNotKept, clock: Clock) -> bool:
    return (
        clock.start <= event.date <= clock.nominal
        and _names_request(event, clock.trigger)
    )


def _names_request(event: CaseEvent, request: CaseEvent) -> bool:
    """Whether an advice-related event is about ``request`` (or about no request in particular)."""
    advice_id: str | None = getattr(event, "advice_id", None)
    advisor: str | None = getattr(event, "advisor", None)
    if advice_id is not None:
        return advice_id == getattr(request, "advice_id", None)
    return advisor is None or advisor == getattr(request, "advisor", None)


def _overlap_days(clock: Clock, first: dt.date, last: dt.date) -> dt.timedelta:
    """Days of ``[first, last]`` (both days away, inclusive) inside the clock's period."""
    lo, hi = max(first, clock.start), min(last, clock.nominal)
    return max(hi - lo + dt.timedelta(days=1), dt.timedelta(0))


def _overlaps(clock: Clock, start: dt.date, end: dt.date) -> bool:
    return start <= clock.nominal and clock.start <= end
