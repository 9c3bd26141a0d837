"""project_deadlines: a case's history and its calendar in, its statutory deadlines out.

Pure: the same history and calendar always give the same deadlines, whatever the date.
Each deadline carries two explanations of the same facts: the staff one (what started the
clock, the arithmetic, the days skipped and why, any exception, the source) and the
family's (``engine.plain``). ``project_case`` also returns the case's warnings: what the
caseworker must look at (an exception recorded at the wrong time, a pairing guessed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import engine.exemptions as exemptions
import engine.plain as plain
from calendars.base import WorkingCalendar
from engine.clocks import Case, Clock, run_rules
from engine.events import (
    ACT_IN_FORCE,
    CaseEvent,
    ChildDateOfBirth,
    ExceptionRecorded,
    event_date,
)
from engine.pairing import pair
from engine.periods import long_date
from engine.special import SPECIALS
from engine.stages import CaseState, checked_state
from engine.status import CaseWarning, Deadline


@dataclass(frozen=True)
class Projection:
    """A case's deadlines and its warnings (each deadline's own warnings among them), and
    the state its history replays to (``state.stage(process)``)."""

    deadlines: tuple[Deadline, ...]
    warnings: tuple[CaseWarning, ...]
    state: CaseState


def project_deadlines(
    history: Sequence[CaseEvent], calendar: WorkingCalendar
) -> tuple[Deadline, ...]:
    """Every deadline the history implies, met or not.

    Args:
        history: the case's events as recorded, in any order; corrections
            (``supersedes``, ``event_withdrawn``) are honoured.
        calendar: the case's local-authority calendar.

    Returns:
        Deadlines sorted by date then key; judge them on a day with ``status_on``.

    Raises:
        InvalidHistory: the events cannot all be true (with the offending event's index).
            A clock that needs dates the calendar has no data for is refused the same
            way, at the event that started it.
    """
    return project_case(history, calendar).deadlines


def project_case(history: Sequence[CaseEvent], calendar: WorkingCalendar) -> Projection:
    """Every deadline the history implies, and what the caseworker must look at.

    Args and Raises: as ``project_deadlines``.

    Returns:
        The deadlines (as ``project_deadlines`` gives them) and the warnings, each
        pointing at the event (log index) and the deadline it is about, in log order.
    """
    indexed, state = checked_state(history)
    for index, event in indexed:
        if isinstance(event, ExceptionRecorded):
            exemptions.check_grounds(index, event)
    events = [event for _, event in indexed]
    pairing = pair(indexed)
    dob = next((e.date for e in events if isinstance(e, ChildDateOfBirth)), None)
    case = Case([(event_date(e), e) for e in events], calendar, pairing,
                {id(e): i for i, e in indexed}, dob, list(pairing.warnings))
    evidence = exemptions.Evidence.of(events)
    judged = _judge(case, evidence)
    _exception_warnings(case, evidence)
    _attach(case, [clock for clock, _, _ in judged])
    deadlines = []
    for clock, exception, available in judged:
        with case.pointing_at(clock.trigger):
            deadlines.append(_deadline(clock, exception, available, calendar))
    deadlines.sort(key=lambda d: (d.nominal, d.key, d.instance))
    warnings = sorted(
        dict.fromkeys(case.warnings), key=lambda w: (w.index is None, w.index or 0)
    )
    return Projection(tuple(deadlines), tuple(warnings), state)


Judged = tuple[Clock, ExceptionRecorded | None, tuple[str, ...]]


def _judge(case: Case, evidence: exemptions.Evidence) -> list[Judged]:
    """Every rule's clocks that apply, each with the exception that disapplies it (if
    any) and the grounds available."""
    judged: list[Judged] = []
    for rule, clocks in run_rules(case):
        for clock in clocks:
            with case.pointing_at(clock.trigger):
                if rule.special is not None and not SPECIALS[rule.special](clock, case):
                    continue
                exception = exemptions.recorded(clock, evidence)
                available = exemptions.available(clock, evidence, case.calendar)
            if exception is not None:
                exemptions.wrong_time(clock, exception, available)
            _before_the_act(clock)
            judged.append((clock, exception, () if exception else available))
    return judged


def _exception_warnings(case: Case, evidence: exemptions.Evidence) -> None:
    """An exception that disapplied nothing is a warning on the case, and on the clock it
    came nearest to."""
    for event, reason, near in exemptions.unapplied(evidence):
        message = (
            f"the exception {event.ground} recorded on {long_date(event.date)} disapplies "
            f"nothing: {reason}"
        )
        case.warn(event, message)
        if near is not None:
            near.warnings.append(message)


def _attach(case: Case, clocks: Sequence[Clock]) -> None:
    """A warning about an event that starts clocks goes on those clocks' deadlines (so the
    stored projection carries it); then every deadline's warnings join the case's, named
    by key. Warnings about no clock's trigger stay the case's own."""
    started: dict[int, list[Clock]] = {}
    for clock in clocks:
        started.setdefault(id(clock.trigger), []).append(clock)
    by_position = {case.positions[key]: found for key, found in started.items()}
    own = []
    for warning in case.warnings:
        targets = by_position.get(warning.index, []) if warning.index is not None else []
        for clock in targets:
            clock.warnings.append(warning.message)
        if not targets:
            own.append(warning)
    case.warnings[:] = own
    for clock in clocks:
        for message in dict.fromkeys(clock.warnings):
            case.warnings.append(CaseWarning(
                message, case.positions.get(id(clock.trigger)), clock.rule.key, clock.instance
            ))


def _before_the_act(clock: Clock) -> None:
    if clock.trigger_date < ACT_IN_FORCE:
        clock.warnings.append(
            f"imported: the {clock.trigger.type} of {long_date(clock.trigger_date)} "
            "came before the Children and Families Act 2014 Part 3 applied (1 Sep 2014); "
            "this date is what the 2014 Regulations would give, for reference only"
        )


def _deadline(
    clock: Clock,
    exception: ExceptionRecorded | None,
    available: tuple[str, ...],
    calendar: WorkingCalendar,
) -> Deadline:
    rule = clock.rule
    working_day = calendar.is_working_day(clock.nominal)  # both explanations say if it is
    return Deadline(
        key=rule.key,
        instance=clock.instance,
        rule=rule.id,
        kind=rule.kind,
        statutory=rule.statutory,
        nominal=clock.nominal,
        due=None if exception else clock.nominal,
        trigger=clock.trigger.type,
        trigger_date=clock.trigger_date,
        citation=rule.citation,
        explanation=_explain(clock, exception, available, working_day=working_day),
        met_on=clock.met_on,
        met_by=clock.met_by,
        exception=exception.ground if exception else None,
        exceptions_available=available,
        premature_on=clock.premature_on,
        actor=rule.actor,
        plain_explanation=plain.explain(clock, exception, working_day=working_day),
        warnings=tuple(dict.fromkeys(clock.warnings)),
        exception_recorded_on=exception.date if exception else None,
        escalates=rule.escalates,
    )


def _explain(
    clock: Clock,
    exception: ExceptionRecorded | None,
    available: tuple[str, ...],
    *,
    working_day: bool,
) -> str:
    rule = clock.rule
    duty = rule.duty[0].upper() + rule.duty[1:]
    if rule.kind == "window":
        headline = f"{duty}: the window runs to the end of {long_date(clock.nominal)}"
        headline += (
            f", so nothing may be finalised before "
            f"{long_date(clock.nominal + dt.timedelta(days=1))}."
            if rule.premature
            else "."
        )
    else:
        headline = f"{duty} {'by' if rule.kind == 'limit' else 'on'} {long_date(clock.nominal)}."
    counted = f": {clock.arithmetic}" if clock.arithmetic else ""
    parts = [headline, f"Counted from {clock.start_text}{counted}."]
    if not working_day and rule.kind == "limit":
        what = "a weekend day" if clock.nominal.weekday() >= 5 else "a bank holiday"
        parts.append(f"It falls on {what}; statutory deadlines are not moved for that (T8).")
    if clock.met_on is not None and rule.kind == "limit":
        late = (clock.met_on - clock.nominal).days
        timing = f"{late} day{'s' if late > 1 else ''} late" if late > 0 else "on time"
        parts.append(f"Met by {clock.met_by} on {long_date(clock.met_on)} ({timing}).")
    if clock.premature_on is not None:
        parts.append(
            f"But {clock.premature_by} on {long_date(clock.premature_on)} came before the "
            "window ended."
        )
    if exception is not None:
        parts.append(
            f"Exception recorded on {long_date(exception.date)} ({exception.ground}): the time "
            f"limit does not apply; it must still be done as soon as practicable (T10). Without "
            f"the exception the date would have been {long_date(clock.nominal)}."
        )
    elif available:
        parts.append(
            "An exception may be available (the LA must decide whether it applies and record "
            f"it): {', '.join(available)}."
        )
    if not rule.statutory:
        parts.append("This date is guidance, not a statutory limit.")
    parts.append(f"Source: {rule.citation}.")
    return " ".join(p for p in parts if p)

