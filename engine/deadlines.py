"""project_deadlines: a case's history and its calendar in, its statutory deadlines out.

Pure: the same history and calendar always give the same deadlines, whatever the date.
Each deadline carries an explanation a caseworker can read aloud to a parent: what
started the clock, the arithmetic, the days skipped and why, and any exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import engine.exemptions as exemptions
from calendars.base import WorkingCalendar
from engine.clocks import Clock, run_rule
from engine.events import CaseEvent, ExceptionRecorded, event_date
from engine.periods import long_date
from engine.rules import TIMESCALES
from engine.special import SPECIALS
from engine.stages import check_history
from engine.status import Deadline


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
    """
    indexed = check_history(history)
    for index, event in indexed:
        if isinstance(event, ExceptionRecorded):
            exemptions.check_grounds(index, event)
    events = [event for _, event in indexed]
    deadlines = []
    for rule in TIMESCALES:
        for clock in run_rule(rule, events, calendar):
            if rule.special is not None and not SPECIALS[rule.special](clock, events, calendar):
                continue
            deadlines.append(_deadline(clock, events, calendar))
    return tuple(sorted(deadlines, key=lambda d: (d.nominal, d.key, d.instance)))


def _deadline(clock: Clock, events: Sequence[CaseEvent], calendar: WorkingCalendar) -> Deadline:
    rule = clock.rule
    exception = exemptions.recorded(clock, events)
    available = () if exception else exemptions.available(clock, events, calendar)
    return Deadline(
        key=rule.key,
        instance=clock.instance,
        rule=rule.id,
        kind=rule.kind,
        statutory=rule.statutory,
        nominal=clock.nominal,
        due=None if exception else clock.nominal,
        trigger=clock.trigger.type,
        trigger_date=event_date(clock.trigger),
        citation=rule.citation,
        explanation=_explain(clock, exception, available, calendar),
        met_on=clock.met_on,
        met_by=clock.met_by,
        exception=exception.ground if exception else None,
        exceptions_available=available,
        premature_on=clock.premature_on,
        actor=rule.actor,
    )


def _explain(
    clock: Clock,
    exception: ExceptionRecorded | None,
    available: tuple[str, ...],
    calendar: WorkingCalendar,
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
    if not calendar.is_working_day(clock.nominal) and rule.kind == "limit":
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

