"""Running one rule over a history: start, meet, cancel and replace its clocks.

This is the generic fold behind ``project_deadlines``: it knows nothing about any
particular regulation, only the columns of a ``Rule`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from calendars.base import WorkingCalendar
from calendars.errors import CalendarGap
from calendars.service import deemed_served
from engine.errors import InvalidHistory
from engine.events import AdviceRequested, CaseEvent, ChildDateOfBirth, event_date
from engine.pairing import Pairing
from engine.periods import add_months, day_name, long_date, skipped_days
from engine.plain import event_phrase
from engine.rules import POSTED, On, Rule
from engine.status import CaseWarning

CASE_CLOSED = "case_closed"


@dataclass(frozen=True)
class Case:
    """What every rule is run against: the effective history in date order, the calendar,
    what belongs to what (``engine.pairing``), each event's position in the log (for
    warnings), and the warnings collected along the way."""

    events: Sequence[CaseEvent]
    calendar: WorkingCalendar
    pairing: Pairing
    positions: Mapping[int, int]  # id(event) -> index in the log
    warnings: list[CaseWarning] = field(default_factory=list)

    def warn(self, event: CaseEvent, message: str) -> None:
        self.warnings.append(CaseWarning(message, index=self.positions.get(id(event))))

    @contextmanager
    def pointing_at(self, event: CaseEvent) -> Iterator[None]:
        """A clock that needs dates the calendar has no data for cannot be counted: the
        history is refused at the event that started it (so the caseworker can find it)."""
        try:
            yield
        except CalendarGap as exc:
            raise InvalidHistory(
                f"{event.type} on {event_date(event)}: its deadlines cannot be counted: "
                f"{exc.reason}",
                index=self.positions.get(id(event)),
            ) from None


@dataclass(eq=False)  # identity: closing one clock must not compare every event field
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
    plain_start: str = ""  # the trigger in the family's words, with its date
    plain_facts: list[str] = field(default_factory=list)  # sentences about the start
    plain_notes: list[str] = field(default_factory=list)  # the family's version of specials
    warnings: list[str] = field(default_factory=list)


def _any(patterns: Sequence[On], event: CaseEvent) -> bool:
    return any(p.matches(event) for p in patterns)


def anchor(rule: Rule, event: CaseEvent, cal: WorkingCalendar) -> tuple[dt.date, str, str]:
    """The date the rule's period runs from, how it was arrived at, and the same in the
    family's words."""
    when = event_date(event)
    if rule.anchor == "received_on":
        received = getattr(event, "received_on", None) or when
        return received, (
            f"the day the adviser received the request, {long_date(received)}"
        ), f"the day the professional received the council's request, {day_name(received)}"
    if rule.anchor == "served":
        method = getattr(event, "method", None)
        if method in POSTED:
            served = deemed_served(when, method, cal)
            nth = "2nd" if method == "first_class_post" else "4th"
            return served, (
                f"it was posted {method.replace('_', ' ')} on {long_date(when)} and is deemed "
                f"served on {long_date(served)}, the {nth} working day after posting"
                f"{skipped_days(when, served, cal)} (R29)"
            ), f"the day it counts as delivered, {day_name(served)}"
        return when, f"it was served by {method or 'email'} on {long_date(when)}", (
            f"the day it was sent to you, {day_name(when)}"
        )
    if rule.anchor == "meeting_date":
        meeting: dt.date = getattr(event, "meeting_date")  # noqa: B009 - typed by the anchor
        return meeting, f"the review meeting is set for {long_date(meeting)}", (
            f"the review meeting on {day_name(meeting)}"
        )
    return when, f"{event.type.replace('_', ' ')} on {long_date(when)}", event_phrase(event)


def _applies(rule: Rule, dob: dt.date | None, on: dt.date) -> bool:
    """Whether the rule applies to the child on ``on`` (the under-5 reviews, R08)."""
    return not rule.requires_under_5 or dob is not None and on < add_months(dob, 60)


class OpenClocks:
    """The clocks of one rule still running, oldest first, found by the advice request
    they answer in one look-up: closing a clock never rescans the others, so a case with
    thousands of advice requests still folds in linear time."""

    def __init__(self) -> None:
        self._all: dict[int, Clock] = {}
        self._by_id: dict[str, dict[int, Clock]] = {}
        self._by_advisor: dict[str, dict[int, Clock]] = {}

    def __iter__(self) -> Iterator[Clock]:
        return iter(list(self._all.values()))

    def add(self, clock: Clock) -> None:
        self._all[id(clock)] = clock
        for index, name in ((self._by_id, "advice_id"), (self._by_advisor, "advisor")):
            value = getattr(clock.trigger, name, None)
            if value is not None:
                index.setdefault(value, {})[id(clock)] = clock

    def remove(self, clock: Clock) -> None:
        del self._all[id(clock)]
        for index, name in ((self._by_id, "advice_id"), (self._by_advisor, "advisor")):
            value = getattr(clock.trigger, name, None)
            if value is not None:
                del index[value][id(clock)]

    def cancel_started_by(self, day: dt.date) -> None:
        """Drop the clocks started on or before ``day`` (they no longer apply)."""
        for clock in self:
            if clock.start <= day:
                self.remove(clock)

    def answered_by(self, stop: CaseEvent) -> Clock | None:
        """The oldest open request an answer names by ``advice_id``, else by adviser."""
        advice_id = getattr(stop, "advice_id", None)
        if advice_id is not None:
            waiting = self._by_id.get(advice_id, {})
        else:
            waiting = self._by_advisor.get(getattr(stop, "advisor", None) or "", {})
        return next(iter(waiting.values()), None)


def run_rule(rule: Rule, case: Case) -> list[Clock]:
    """Fold the case's events (in date order) through ``rule``: every clock it starts, as
    it ends.

    A rule that ``looks_back`` (R09 from a meeting held) is met by the first of its stop
    events since the previous start, not by one after it.
    """
    dob = next((e.date for e in case.events if isinstance(e, ChildDateOfBirth)), None)
    open_ = OpenClocks()
    done: list[Clock] = []
    earlier: list[CaseEvent] = []  # stop events since the last start (rules that look back)
    concerned = {p.type for p in (*rule.starts, *rule.stops, *rule.premature, *rule.cancels)}
    concerned.add(CASE_CLOSED)  # ends every rule's open clocks (``_cancels``)
    for event in case.events:
        if event.type not in concerned:
            continue
        when = event_date(event)
        if _any(rule.stops, event):
            earlier.append(event)
            done.extend(_meet(rule, open_, event, case.pairing))
        if _any(rule.premature, event):
            _premature(open_, event)
        if _cancels(rule, event):
            open_.cancel_started_by(when)
        if _any(rule.starts, event) and _applies(rule, dob, when):
            if rule.restarts:
                # A replaced window still happened; a replaced limit simply no longer applies.
                done.extend(c for c in open_ if rule.kind == "window")
                open_ = OpenClocks()
            clock = _start(rule, event, case)
            if rule.looks_back:
                if earlier:
                    clock.met_on, clock.met_by = event_date(earlier[0]), earlier[0].type
                done.append(clock)
            else:
                open_.add(clock)
            earlier = []
    return _name_instances([*done, *open_])


def _cancels(rule: Rule, event: CaseEvent) -> bool:
    """Whether ``event`` ends ``rule``'s open clocks: one of its own cancelling events, or
    the case closing (the LA's duties end with it; a parent's windows run on)."""
    if event.type == CASE_CLOSED:
        return rule.kind != "window"
    return _any(rule.cancels, event)


def _meet(rule: Rule, open_: OpenClocks, stop: CaseEvent, pairing: Pairing) -> list[Clock]:
    """Meet (and close) the open clocks ``stop`` satisfies; returns them."""
    met = _paired(rule, open_, stop, pairing)
    for clock in met:
        clock.met_on, clock.met_by = event_date(stop), stop.type
        open_.remove(clock)
    return met


def _premature(open_: OpenClocks, act: CaseEvent) -> None:
    """Windows that ``act`` (finalising a plan) breaches by coming inside them."""
    when = event_date(act)
    for clock in open_:
        # From the day it was sent: acting before a posted document is even deemed
        # served is all the more inside the window.
        sent = event_date(clock.trigger)
        if sent <= when <= clock.nominal and clock.premature_on is None:
            clock.premature_on, clock.premature_by = when, act.type


def _start(rule: Rule, event: CaseEvent, case: Case) -> Clock:
    """The clock ``event`` starts; a calendar with no data for it points at the event."""
    with case.pointing_at(event):
        start, start_text, plain_start = anchor(rule, event, case.calendar)
        nominal, arithmetic = rule.period.apply(start, case.calendar)
    clock = Clock(rule, event, start, start_text, nominal, arithmetic, plain_start=plain_start)
    method = getattr(event, "method", None)
    if rule.anchor == "served" and method in POSTED:
        nth = "2nd" if method == "first_class_post" else "4th"
        clock.plain_facts.append(
            f"It was posted on {day_name(event_date(event))}. Post counts as delivered on the "
            f"{nth} working day after posting."
        )
    return clock


def _paired(rule: Rule, open_: OpenClocks, stop: CaseEvent, pairing: Pairing) -> list[Clock]:
    """The open clocks a stop event meets: all of them, the one whose decision letter it
    is about (mediation, appeal), or (advice) the oldest request it answers."""
    if rule.pairing == "all":
        return list(open_)
    if rule.pairing == "letter":
        letter = pairing.letter_of(stop)
        return [c for c in open_ if c.trigger is letter]
    answered = open_.answered_by(stop)
    return [] if answered is None else [answered]


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
