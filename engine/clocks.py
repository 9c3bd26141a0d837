"""Running one rule over a history: start, meet, cancel and replace its clocks.

This is the generic fold behind ``project_deadlines``: it knows nothing about any
particular regulation, only the columns of a ``Rule`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from calendars.base import WorkingCalendar
from calendars.service import deemed_served
from engine.events import AdviceRequested, CaseEvent, ChildDateOfBirth, event_date
from engine.periods import add_months, long_date, skipped_days
from engine.rules import POSTED, On, Rule


@dataclass
class Clock:
    """One running instance of a rule, filled in as the history is folded."""

    rule: Rule
    trigger: CaseEvent
    start: dt.date
    start_text: str
    nominal: dt.date
    arithmetic: str
    instance: str = ""
    met_on: dt.date | None = None
    met_by: str | None = None
    premature_on: dt.date | None = None
    premature_by: str | None = None


def _any(patterns: Sequence[On], event: CaseEvent) -> bool:
    return any(p.matches(event) for p in patterns)


def anchor(rule: Rule, event: CaseEvent, cal: WorkingCalendar) -> tuple[dt.date, str]:
    """The date the rule's period runs from, and how it was arrived at."""
    when = event_date(event)
    if rule.anchor == "received_on":
        received = getattr(event, "received_on", None) or when
        return received, f"the request was received by the adviser on {long_date(received)}"
    if rule.anchor == "served":
        method = getattr(event, "method", None)
        if method in POSTED:
            served = deemed_served(when, method, cal)
            nth = "2nd" if method == "first_class_post" else "4th"
            return served, (
                f"it was posted {method.replace('_', ' ')} on {long_date(when)} and is deemed "
                f"served on {long_date(served)}, the {nth} working day after posting"
                f"{skipped_days(when, served, cal)} (R29)"
            )
        return when, f"it was served by {method or 'email'} on {long_date(when)}"
    if rule.anchor == "meeting_date":
        meeting: dt.date = getattr(event, "meeting_date")  # noqa: B009 - typed by the anchor
        return meeting, f"the review meeting is set for {long_date(meeting)}"
    return when, f"{event.type.replace('_', ' ')} on {long_date(when)}"


def _under_5(dob: dt.date | None, on: dt.date) -> bool:
    return dob is not None and on < add_months(dob, 60)


def run_rule(rule: Rule, events: Sequence[CaseEvent], cal: WorkingCalendar) -> list[Clock]:
    """Fold ``events`` (in date order) through ``rule``: every clock it starts, as it ends."""
    dob = next((e.date for e in events if isinstance(e, ChildDateOfBirth)), None)
    open_: list[Clock] = []
    done: list[Clock] = []
    for event in events:
        when = event_date(event)
        if _any(rule.stops, event):
            for clock in _paired(rule, open_, event):
                clock.met_on, clock.met_by = when, event.type
                open_.remove(clock)
                done.append(clock)
        if _any(rule.premature, event):
            for clock in open_:
                # From the day it was sent: acting before a posted document is even deemed
                # served is all the more inside the window.
                sent = event_date(clock.trigger)
                if sent <= when <= clock.nominal and clock.premature_on is None:
                    clock.premature_on, clock.premature_by = when, event.type
        if _cancels(rule, event):
            open_ = [c for c in open_ if c.start > when]
        if _any(rule.starts, event) and (not rule.requires_under_5 or _under_5(dob, when)):
            if rule.restarts:
                # A replaced window still happened; a replaced limit simply no longer applies.
                done.extend(c for c in open_ if rule.kind == "window")
                open_ = []
            start, start_text = anchor(rule, event, cal)
            nominal, arithmetic = rule.period.apply(start, cal)
            open_.append(Clock(rule, event, start, start_text, nominal, arithmetic))
    return _name_instances(done + open_)


def _cancels(rule: Rule, event: CaseEvent) -> bool:
    """Whether ``event`` ends ``rule``'s open clocks: one of its own cancelling events, or
    the case closing (the LA's duties end with it; a parent's windows run on)."""
    if event.type == "case_closed":
        return rule.kind != "window"
    return _any(rule.cancels, event)


def _paired(rule: Rule, open_: list[Clock], stop: CaseEvent) -> list[Clock]:
    """The open clocks a stop event meets: all of them, or (advice) the one it names."""
    if rule.pairing == "all":
        return list(open_)
    advice_id = getattr(stop, "advice_id", None)
    advisor = getattr(stop, "advisor", None)
    for clock in open_:  # oldest first: the earliest outstanding request is answered first
        if advice_id is not None and getattr(clock.trigger, "advice_id", None) == advice_id:
            return [clock]
        if advice_id is None and getattr(clock.trigger, "advisor", None) == advisor:
            return [clock]
    return []


def _name_instances(clocks: list[Clock]) -> list[Clock]:
    """Stable instance names: the advice id (or adviser and date), else the trigger date."""
    seen: dict[str, int] = {}
    for clock in sorted(clocks, key=lambda c: (event_date(c.trigger), c.start)):
        trigger = clock.trigger
        base = event_date(trigger).isoformat()
        if isinstance(trigger, AdviceRequested):
            base = trigger.advice_id or f"{trigger.advisor}-{base}"
        seen[base] = seen.get(base, 0) + 1
        clock.instance = base if seen[base] == 1 else f"{base}#{seen[base]}"
    return clocks
