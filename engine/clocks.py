"""Running one rule over a history: start, meet, cancel and replace its clocks.

This is the generic fold behind ``project_deadlines``: it knows nothing about any
particular regulation, only the columns of a ``Rule`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from calendars.base import WorkingCalendar
from calendars.errors import CalendarGap
from calendars.service import deemed_served
from engine.errors import InvalidHistory
from engine.events import AdviceRequested, CaseEvent, event_date
from engine.pairing import Pairing
from engine.periods import add_months, day_name, long_date, skipped_days
from engine.plain import event_phrase
from engine.rules import POSTED, TIMESCALES, On, Rule
from engine.status import CaseWarning

CASE_CLOSED = "case_closed"
Dated = tuple[dt.date, CaseEvent]  # an event with the date it sorts on (``event_date``)


@dataclass(frozen=True)
class Case:
    """What every rule is run against: the effective history in date order, each event
    with its date (worked out once, ``dated``), the calendar, what belongs to what
    (``engine.pairing``), each event's position in the log (for warnings), the child's
    date of birth if recorded, and the warnings collected along the way."""

    dated: Sequence[Dated]
    calendar: WorkingCalendar
    pairing: Pairing
    positions: Mapping[int, int]  # id(event) -> index in the log
    dob: dt.date | None = None
    warnings: list[CaseWarning] = field(default_factory=list)

    def warn(self, event: CaseEvent, message: str) -> None:
        self.warnings.append(CaseWarning(message, index=self.positions.get(id(event))))

    def pointing_at(self, event: CaseEvent) -> PointingAt:
        """A clock that needs dates the calendar has no data for cannot be counted: the
        history is refused at the event that started it (so the caseworker can find it)."""
        return PointingAt(self, event)


class PointingAt:
    """``Case.pointing_at``: a plain class, as it is entered several times per clock (a
    generator-based context manager costs several times more)."""

    __slots__ = ("case", "event")

    def __init__(self, case: Case, event: CaseEvent) -> None:
        self.case, self.event = case, event

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, CalendarGap):
            event = self.event
            raise InvalidHistory(
                f"{event.type} on {event_date(event)}: its deadlines cannot be counted: "
                f"{exc.reason}",
                index=self.case.positions.get(id(event)),
            ) from None


@dataclass(eq=False)  # identity: closing one clock must not compare every event field
class Clock:
    """One running instance of a rule, filled in as the history is folded."""

    rule: Rule
    trigger: CaseEvent
    trigger_date: dt.date  # ``event_date(trigger)``
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
    for pattern in patterns:  # a loop, not any(): most calls have no pattern to try
        if pattern.matches(event):
            return True
    return False


@dataclass(frozen=True)
class Reaction:
    """What an event of one type can do to one rule's clocks: the rule's patterns of that
    type, column by column. Closing the case cancels the clocks of every rule but a
    window (the LA's duties end with it; a parent's windows run on)."""

    starts: tuple[On, ...]
    stops: tuple[On, ...]
    premature: tuple[On, ...]
    cancels: tuple[On, ...]


def reactions(rule: Rule) -> dict[str, Reaction]:
    """The rule's row filed by event type: the types it names, and the case closing."""
    columns = (rule.starts, rule.stops, rule.premature, rule.cancels)
    types = dict.fromkeys(p.type for column in columns for p in column)
    found = {
        kind: Reaction(*(tuple(p for p in column if p.type == kind) for column in columns))
        for kind in types
    }
    closing = found.get(CASE_CLOSED, Reaction((), (), (), ()))
    found[CASE_CLOSED] = Reaction(
        closing.starts, closing.stops, closing.premature,
        (On(CASE_CLOSED),) if rule.kind != "window" else (),
    )
    return found


# Which rows an event type concerns, and which it can start, derived once from the
# table: the fold visits each event only for the rows that name its type, not all 48.
REACTIONS: tuple[Mapping[str, Reaction], ...] = tuple(reactions(r) for r in TIMESCALES)
CONCERNING: dict[str, tuple[int, ...]] = {}
STARTED_BY: dict[str, tuple[int, ...]] = {}
for _n, _found in enumerate(REACTIONS):
    for _type, _reaction in _found.items():
        CONCERNING[_type] = (*CONCERNING.get(_type, ()), _n)
        if _reaction.starts:
            STARTED_BY[_type] = (*STARTED_BY.get(_type, ()), _n)


def anchor(
    rule: Rule, event: CaseEvent, when: dt.date, cal: WorkingCalendar
) -> tuple[dt.date, str, str]:
    """The date the rule's period runs from (``when`` is the event's date), how it was
    arrived at, and the same in the family's words."""
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


Key = tuple[str, object]


def _keys(trigger: CaseEvent) -> list[Key]:
    """What a stop event may name a clock by: the event that started it, and for an
    advice request its ``advice_id`` and its adviser."""
    keys: list[Key] = [("trigger", id(trigger))]
    if isinstance(trigger, AdviceRequested):
        if trigger.advice_id is not None:
            keys.append(("advice_id", trigger.advice_id))
        if trigger.advisor is not None:
            keys.append(("advisor", trigger.advisor))
    return keys


class OpenClocks:
    """The clocks of one rule still running, oldest first, found by what a stop event
    names in one look-up (the advice request it answers, the decision letter it is
    about): closing a clock never rescans the others, so a case with thousands of advice
    requests or decision letters still folds in linear time."""

    def __init__(self) -> None:
        self._all: dict[int, Clock] = {}
        self._by_key: dict[Key, dict[int, Clock]] = {}

    def __iter__(self) -> Iterator[Clock]:
        return iter(list(self._all.values()))

    def add(self, clock: Clock) -> None:
        self._all[id(clock)] = clock
        for key in _keys(clock.trigger):
            self._by_key.setdefault(key, {})[id(clock)] = clock

    def remove(self, clock: Clock) -> None:
        del self._all[id(clock)]
        for key in _keys(clock.trigger):
            del self._by_key[key][id(clock)]

    def cancel_started_by(self, day: dt.date) -> None:
        """Drop the clocks started on or before ``day`` (they no longer apply)."""
        for clock in self:
            if clock.start <= day:
                self.remove(clock)

    def started_by(self, trigger: CaseEvent | None) -> list[Clock]:
        """The open clocks ``trigger`` started (none for no trigger)."""
        if trigger is None:
            return []
        return list(self._by_key.get(("trigger", id(trigger)), {}).values())

    def answered_by(self, stop: CaseEvent) -> Clock | None:
        """The oldest open request an answer names by ``advice_id``, else by adviser."""
        advice_id = getattr(stop, "advice_id", None)
        if advice_id is not None:
            waiting = self._by_key.get(("advice_id", advice_id), {})
        else:
            waiting = self._by_key.get(("advisor", getattr(stop, "advisor", None) or ""), {})
        return next(iter(waiting.values()), None)


def run_rules(case: Case) -> Iterator[tuple[Rule, list[Clock]]]:
    """Every rule some event of the case starts, in table order, with its clocks, one rule
    at a time (each folded as the caller gets to it).

    One pass files each event under the rows that name its type (``CONCERNING``), so each
    rule is folded over its own events only.
    """
    concerning: dict[int, list[Dated]] = {}
    started: set[int] = set()
    for dated in case.dated:
        kind = dated[1].type
        for n in CONCERNING.get(kind, ()):
            concerning.setdefault(n, []).append(dated)
        started.update(STARTED_BY.get(kind, ()))
    for n in sorted(started):
        if TIMESCALES[n].requires_under_5 and case.dob is None:
            continue  # no date of birth on file: it applies to no one (``_applies``)
        yield TIMESCALES[n], run_rule(TIMESCALES[n], REACTIONS[n], concerning[n], case)


def run_rule(
    rule: Rule, reacting: Mapping[str, Reaction], events: Sequence[Dated], case: Case
) -> list[Clock]:
    """Fold ``events`` (the case's events of the types ``reacting`` names, in date order)
    through ``rule``: every clock it starts, as it ends.

    A rule that ``looks_back`` (R09 from a meeting held) is met by the first of its stop
    events since the previous start, not by one after it.
    """
    open_ = OpenClocks()
    done: list[Clock] = []
    earlier: list[Dated] = []  # stop events since the last start (rules that look back)
    for when, event in events:
        reaction = reacting[event.type]
        if _any(reaction.stops, event):
            earlier.append((when, event))
            done.extend(_meet(rule, open_, event, when, case.pairing))
        if _any(reaction.premature, event):
            _premature(open_, event, when)
        if _any(reaction.cancels, event):
            open_.cancel_started_by(when)
        if _any(reaction.starts, event) and _applies(rule, case.dob, when):
            if rule.restarts:
                # A replaced window still happened; a replaced limit simply no longer applies.
                done.extend(c for c in open_ if rule.kind == "window")
                open_ = OpenClocks()
            clock = _start(rule, event, when, case)
            if rule.looks_back:
                if earlier:
                    clock.met_on, clock.met_by = earlier[0][0], earlier[0][1].type
                done.append(clock)
            else:
                open_.add(clock)
            earlier = []
    return _name_instances([*done, *open_])


def _meet(
    rule: Rule, open_: OpenClocks, stop: CaseEvent, when: dt.date, pairing: Pairing
) -> list[Clock]:
    """Meet (and close) the open clocks ``stop`` (dated ``when``) satisfies; returns them."""
    met = _paired(rule, open_, stop, pairing)
    for clock in met:
        clock.met_on, clock.met_by = when, stop.type
        open_.remove(clock)
    return met


def _premature(open_: OpenClocks, act: CaseEvent, when: dt.date) -> None:
    """Windows that ``act`` (finalising a plan, on ``when``) breaches by coming inside them."""
    for clock in open_:
        # From the day it was sent: acting before a posted document is even deemed
        # served is all the more inside the window.
        if clock.trigger_date <= when <= clock.nominal and clock.premature_on is None:
            clock.premature_on, clock.premature_by = when, act.type


def _start(rule: Rule, event: CaseEvent, when: dt.date, case: Case) -> Clock:
    """The clock ``event`` (dated ``when``) starts; a calendar with no data for it points
    at the event."""
    with case.pointing_at(event):
        start, start_text, plain_start = anchor(rule, event, when, case.calendar)
        nominal, arithmetic = rule.period.apply(start, case.calendar)
    clock = Clock(rule, event, when, start, start_text, nominal, arithmetic,
                  plain_start=plain_start)
    if rule.anchor == "served":
        method = getattr(event, "method", None)
        if method in POSTED:
            nth = "2nd" if method == "first_class_post" else "4th"
            clock.plain_facts.append(
                f"It was posted on {day_name(when)}. Post counts as delivered on the "
                f"{nth} working day after posting."
            )
    return clock


def _paired(rule: Rule, open_: OpenClocks, stop: CaseEvent, pairing: Pairing) -> list[Clock]:
    """The open clocks a stop event meets: all of them, the one whose decision letter it
    is about (mediation, appeal), or (advice) the oldest request it answers."""
    if rule.pairing == "all":
        return list(open_)
    if rule.pairing == "letter":
        return open_.started_by(pairing.letter_of(stop))
    answered = open_.answered_by(stop)
    return [] if answered is None else [answered]


def _name_instances(clocks: list[Clock]) -> list[Clock]:
    """Stable instance names: the advice id (or adviser and date), else the trigger date."""
    seen: dict[str, int] = {}
    for clock in sorted(clocks, key=lambda c: (c.trigger_date, c.start)):
        trigger = clock.trigger
        base = clock.trigger_date.isoformat()
        if isinstance(trigger, AdviceRequested):
            base = trigger.advice_id or f"{trigger.advisor}-{base}"
        seen[base] = seen.get(base, 0) + 1
        clock.instance = base if seen[base] == 1 else f"{base}#{seen[base]}"
    return clocks
