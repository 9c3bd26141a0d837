"""Deadline values and how a deadline stands on a given day.

A ``Deadline`` is what the history implies, independent of today. Whether it is due soon
or breached depends on the day it is judged on, so that is a separate, pure function
taking ``as_of`` explicitly: the engine never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from calendars.base import WorkingCalendar

# "limit": the duty is to act by ``due``. "window": a period that must be allowed to run
# (a parent's representations or appeal time; the LA acting inside it breaches it, where
# the rule names such an act). "date": a computed fact
# (e.g. deemed service) shown on the timeline.
Kind = Literal["limit", "window", "date"]

# "Due soon", defined once: due within this many working days (the first rung of the
# default escalation ladder). The worklist, the digest and ``status_on`` all use it.
DUE_SOON_WORKING_DAYS = 10


class Status(StrEnum):
    PENDING = "pending"
    DUE_SOON = "due_soon"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    BREACHED = "breached"
    DISAPPLIED = "disapplied"


@dataclass(frozen=True)
class Deadline:
    """One statutory (or advisory) date derived from a case's history.

    ``due`` is None exactly when a recorded exception disapplies the limit; ``nominal``
    always holds the computed date. ``instance`` tells repeated clocks apart (one per
    advice request, one per review meeting); with ``key`` it is stable across replays.
    """

    key: str
    instance: str
    rule: str
    kind: Kind
    statutory: bool
    nominal: dt.date
    due: dt.date | None
    trigger: str
    trigger_date: dt.date
    citation: str
    explanation: str
    met_on: dt.date | None = None
    met_by: str | None = None
    exception: str | None = None
    exceptions_available: tuple[str, ...] = field(default_factory=tuple)
    # A window is breached by acting inside it; this is the act and its date.
    premature_on: dt.date | None = None
    # Whose duty it is: "la", "adviser" (a reg 8 body), "institution", "parent" (parent or
    # young person: appeal and mediation windows), "mediation_adviser". Escalation only
    # chases the LA's own duties as breaches.
    actor: str = "la"
    # The same facts for a family: plain English, short sentences, day names, no rule
    # codes or citations (the staff ``explanation`` keeps those).
    plain_explanation: str = ""
    # What the caseworker must look at (an exception recorded late, a pairing the engine
    # had to guess); never silent, shown on the case and in ``ehc timeline``.
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # When the exception that disapplies this limit was recorded (after ``nominal``:
    # recorded late, counted as such in the timeliness figures).
    exception_recorded_on: dt.date | None = None
    # False for a fact of record (R09 judged after the meeting was held): reported and
    # judged, never escalated, since nothing is left to do.
    escalates: bool = True


@dataclass(frozen=True)
class CaseWarning:
    """Something about a case's history the caseworker must look at.

    ``index`` is the position in the log of the event it is about (0-based, as
    ``EngineError.index``); ``key``/``instance`` name the deadline it is about, if any.
    """

    message: str
    index: int | None = None
    key: str | None = None
    instance: str | None = None


def status_on(
    deadline: Deadline,
    as_of: dt.date,
    calendar: WorkingCalendar,
    *,
    due_soon_working_days: int = DUE_SOON_WORKING_DAYS,
) -> Status:
    """How ``deadline`` stands at the end of ``as_of`` (T7: in time if done on the last day).

    Only what happened on or before ``as_of`` counts, so a past date can be judged as it
    stood then. Disapplied limits never report breached.
    """
    met_on = deadline.met_on if deadline.met_on and deadline.met_on <= as_of else None
    if deadline.kind == "window":
        # A window is met when it has run its length (or was used: an appeal registered);
        # it is breached only by the council acting inside it.
        if deadline.premature_on and deadline.premature_on <= as_of:
            return Status.BREACHED
        return Status.MET_ON_TIME if met_on or as_of > deadline.nominal else Status.PENDING
    if deadline.kind == "date":
        return Status.MET_ON_TIME if as_of >= deadline.nominal else Status.PENDING
    if deadline.due is None:
        return Status.DISAPPLIED
    if met_on is not None:
        return Status.MET_ON_TIME if met_on <= deadline.due else Status.MET_LATE
    if as_of > deadline.due:
        return Status.BREACHED
    if deadline.due <= due_soon_horizon(as_of, calendar, due_soon_working_days):
        return Status.DUE_SOON
    return Status.PENDING


def due_soon_horizon(
    as_of: dt.date, calendar: WorkingCalendar, working_days: int = DUE_SOON_WORKING_DAYS
) -> dt.date:
    """The last due date that counts as "due soon" when judged on ``as_of``."""
    return calendar.add_working_days(as_of, working_days) if working_days else as_of


def days_late(deadline: Deadline, as_of: dt.date) -> int | None:
    """Calendar days past ``due``: to the day it was met, or to ``as_of`` if still open."""
    if deadline.kind != "limit" or deadline.due is None:
        return None
    end = deadline.met_on if deadline.met_on and deadline.met_on <= as_of else as_of
    late = (end - deadline.due).days
    return late if late > 0 else None


def spoken_for(deadlines: Iterable[tuple[str, Deadline]]) -> set[tuple[str, str, str]]:
    """The (case, key, instance) of deadlines that a sibling speaks for.

    R12c reports one duty under three keys (the combined date and its reg 22 and Devon
    components), and the combined date always equals one of the others. Among deadlines of
    one case with the same rule and due date under *different* keys, the first key
    alphabetically speaks for the rest, so one duty on one date is one line or one email.
    Instances of one key (two advisers asked the same day) are different duties and are
    never merged.

    Args:
        deadlines: (case reference, deadline) pairs, already narrowed to the ones to show.

    Returns:
        The identities to leave out.
    """
    groups: dict[tuple[str, str, dt.date], set[tuple[str, str]]] = {}
    for case_ref, deadline in deadlines:
        if deadline.due is not None:
            group = groups.setdefault((case_ref, deadline.rule, deadline.due), set())
            group.add((deadline.key, deadline.instance))
    silenced: set[tuple[str, str, str]] = set()
    for (case_ref, _, _), members in groups.items():
        speaker = min(key for key, _ in members)
        silenced |= {(case_ref, key, inst) for key, inst in members if key != speaker}
    return silenced
