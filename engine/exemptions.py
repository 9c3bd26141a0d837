"""The lawful exceptions (statutory-rules.md §5): which apply, and which are available.

An exception *applies* only when the LA records it (``exception_recorded``); the engine
never infers one from the calendar. It does say when one is *available* - advice asked
of a head teacher inside a long closure window, an absence from the area of 4 weeks or
more, an appointment not kept - so the caseworker can decide and record it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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


def recorded(clock: Clock, events: Sequence[CaseEvent]) -> ExceptionRecorded | None:
    """The recorded exception that disapplies ``clock``, if any.

    It must name the clock, be recorded on or after the clock started and not after it was
    met, and (for advice) name that request or adviser, or none.
    """
    name = clock.rule.clock
    if name is None:
        return None
    for event in events:
        if not isinstance(event, ExceptionRecorded) or name not in event.applies_to:
            continue
        if event.date < clock.start or (clock.met_on and event.date > clock.met_on):
            continue
        if event.ground == "covid_2020" and not _overlaps(clock, COVID_FROM, COVID_TO):
            continue
        if name == "advice" and not _names_request(event, clock.trigger):
            continue
        return event
    return None


def available(
    clock: Clock, events: Sequence[CaseEvent], calendar: WorkingCalendar
) -> tuple[str, ...]:
    """Grounds the history makes available for ``clock`` (for the LA to decide on)."""
    name = clock.rule.clock
    if name is None:
        return ()
    found: list[str] = []
    if _overlaps(clock, COVID_FROM, COVID_TO):
        found.append("covid_2020")
    absent = any(
        isinstance(e, AbsenceFromArea) and _overlap_days(clock, e.from_, e.to) >= FOUR_WEEKS
        for e in events
    )
    if name == "advice":
        if absent:
            found.append("reg8_2_b_absent_4_weeks")
        if any(_missed_appointment(e, clock) for e in events):
            found.append("reg8_2_c_appointment_not_kept")
        return tuple(found)
    prefix = LIST_PREFIX[name]
    found.extend(f"{prefix}_{g}" for g in _closure_grounds(clock, events, calendar))
    if absent:
        found.append(f"{prefix}_d_absent_4_weeks")
    return tuple(found)


def _closure_grounds(
    clock: Clock, events: Sequence[CaseEvent], calendar: WorkingCalendar
) -> list[str]:
    """Reg 10(4)(a)/(b): advice asked of the school/early-years setting inside its window."""
    grounds = []
    for event in events:
        if not isinstance(event, AdviceRequested):
            continue
        if not clock.start <= event.date <= clock.nominal:
            continue
        if event.advisor in SCHOOL_ADVISERS:
            letter = "a_school_closure"
        elif event.advisor in EARLY_YEARS_ADVISERS:
            letter = "b_early_years_closure"
        else:
            continue
        if qualifying_closures(_closures(event.school, events, calendar), event.date):
            grounds.append(letter)
    return sorted(set(grounds))


def _closures(
    school: str | None, events: Sequence[CaseEvent], calendar: WorkingCalendar
) -> list[Closure]:
    """The calendar's closures for ``school`` plus any recorded in the history itself."""
    recorded_here = [
        Closure(e.school, e.closed_from, e.reopens_on, "case history")
        for e in events
        if isinstance(e, SchoolClosure) and (school is None or e.school == school)
    ]
    return [*calendar.closures(school), *recorded_here]


def _missed_appointment(event: CaseEvent, clock: Clock) -> bool:
    return (
        isinstance(event, AppointmentNotKept)
        and clock.start <= event.date <= clock.nominal
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
