"""Who must hear about a deadline, and when: the escalation ladder and the sweep's decision.

``LADDER`` is data, one rung per row, in the spirit of ``TIMESCALES``: a local authority
can replace it (``parse_ladder``), and ``decide_escalations`` is the pure core of the
nightly sweep. It never reads the clock; the shell passes ``as_of`` (today in London).

Each deadline falls on one *track*:

* ``statutory``: a statutory limit with a due date;
* ``advisory``: a non-statutory limit (good practice): only ever the caseworker hears;
* ``disapplied``: a limit lifted by a recorded exception (``due`` is None). The duty is
  still "as soon as practicable" (T10), so the nominal date passing prompts a reminder,
  never a breach;
* ``premature``: a window the authority acted inside (e.g. finalising a plan before the
  15-day representations window ended). Windows and computed dates escalate for nothing else.

A rung fires either ``before`` the due date (a reminder ``working_days`` working days
ahead; it lapses once the due day has passed or a nearer reminder has fired, so a late
start or a skipped night sends only the nearest one) or on ``breach``: on the first
day of breach (``working_days`` = 0; the day after the due date, because an act on the
last day is in time, T7) or once the breach is ``working_days`` working days old.
Breach rungs are cumulative: a night that finds a breach 12 working days old sends both
the breach notice and the head of service's.

An escalation's natural key is (case reference, deadline key, instance, level). The shell
records it under a UNIQUE constraint, which is what makes "once" true; ``already_decided``
only saves it from proposing what is known to be done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from calendars.base import WorkingCalendar
from engine.errors import EngineError
from engine.status import Deadline, days_late, spoken_for

When = Literal["before", "breach"]


class Role(StrEnum):
    CASEWORKER = "caseworker"
    TEAM_MANAGER = "team_manager"
    HEAD_OF_SERVICE = "head_of_service"


class Track(StrEnum):
    STATUTORY = "statutory"
    ADVISORY = "advisory"
    DISAPPLIED = "disapplied"
    PREMATURE = "premature"


class InvalidLadder(EngineError, ValueError):
    """A ladder configuration that cannot be applied; the message says which row and why."""


@dataclass(frozen=True)
class Rung:
    """One row of the ladder: on ``track``, at ``when``/``working_days``, tell ``roles``."""

    level: str
    track: Track
    when: When
    working_days: int
    roles: tuple[Role, ...]
    why: str


Ladder = tuple[Rung, ...]

LADDER: Ladder = (
    Rung("reminder_10", Track.STATUTORY, "before", 10, (Role.CASEWORKER,),
         "statutory deadline in 10 working days"),
    Rung("reminder_5", Track.STATUTORY, "before", 5, (Role.CASEWORKER,),
         "statutory deadline in 5 working days"),
    Rung("breach", Track.STATUTORY, "breach", 0, (Role.CASEWORKER, Role.TEAM_MANAGER),
         "statutory deadline missed"),
    Rung("breach_10", Track.STATUTORY, "breach", 10, (Role.HEAD_OF_SERVICE,),
         "statutory deadline missed 10 working days ago"),
    Rung("advisory_reminder_5", Track.ADVISORY, "before", 5, (Role.CASEWORKER,),
         "advisory date in 5 working days"),
    Rung("advisory_missed", Track.ADVISORY, "breach", 0, (Role.CASEWORKER,),
         "advisory date passed"),
    Rung("as_soon_as_practicable", Track.DISAPPLIED, "breach", 0, (Role.CASEWORKER,),
         "limit disapplied by an exception: still due as soon as practicable"),
    Rung("premature", Track.PREMATURE, "breach", 0, (Role.CASEWORKER, Role.TEAM_MANAGER),
         "acted before a statutory window ended"),
)


class CaseDeadline(NamedTuple):
    """A deadline with the reference of the case it belongs to."""

    case_ref: str
    deadline: Deadline


EscalationKey = tuple[str, str, str, str]  # (case_ref, deadline key, instance, level)


@dataclass(frozen=True)
class Escalation:
    """A decision to tell ``roles`` about one deadline, at one ``level``, once."""

    case_ref: str
    deadline_key: str
    instance: str
    level: str
    track: Track
    when: When
    working_days: int
    roles: tuple[Role, ...]
    rule: str
    statutory: bool
    due: dt.date | None
    nominal: dt.date
    premature_on: dt.date | None
    fires_on: dt.date
    days_late: int | None
    citation: str

    @property
    def key(self) -> EscalationKey:
        return (self.case_ref, self.deadline_key, self.instance, self.level)


# Duties the council answers for: its own, and the reg 8 advice it must chase to meet reg 13.
COUNCIL_CHASES = frozenset({"la", "adviser"})


def track_of(deadline: Deadline, as_of: dt.date) -> Track | None:
    """The track ``deadline`` is on as of ``as_of``, or None when nothing can escalate.

    Args:
        deadline: the deadline to classify.
        as_of: the day it is judged on; a deadline met on or before it is done.

    Returns:
        The track, or None for computed dates, windows not acted inside, met limits and
        facts of record (``Deadline.escalates`` false).
    """
    if deadline.kind == "date" or not deadline.escalates:
        return None
    if deadline.kind == "window":
        premature = deadline.premature_on is not None and deadline.premature_on <= as_of
        return Track.PREMATURE if premature else None
    if deadline.met_on is not None and deadline.met_on <= as_of:
        return None
    if deadline.due is None:
        return Track.DISAPPLIED
    if deadline.actor not in COUNCIL_CHASES:
        # Someone else's duty (a mediation adviser's certificate, a commissioning body's
        # notice): the caseworker should know, but it is not the council's breach.
        return Track.ADVISORY
    return Track.STATUTORY if deadline.statutory else Track.ADVISORY


def fires_on(rung: Rung, deadline: Deadline, calendar: WorkingCalendar) -> dt.date:
    """The first day on which ``rung`` applies to ``deadline``.

    Args:
        rung: a rung whose track matches the deadline's.
        deadline: the deadline (``due`` set for ``before`` rungs).
        calendar: the case's local authority calendar, for working days.

    Returns:
        For ``before``: ``working_days`` working days before the due date. For ``breach``:
        the first day of breach (the day after the due or nominal date, or the day of a
        premature act), moved on by ``working_days`` working days when that is not 0.
    """
    if rung.when == "before":
        assert deadline.due is not None, "before-rungs exist only on tracks with a due date"
        return calendar.add_working_days(deadline.due, -rung.working_days)
    first = _first_day_of_breach(deadline)
    return calendar.add_working_days(first, rung.working_days) if rung.working_days else first


def decide_escalations(
    deadlines: Iterable[CaseDeadline],
    as_of: dt.date,
    calendar: WorkingCalendar,
    ladder: Ladder = LADDER,
    already_decided: Collection[EscalationKey] = frozenset(),
) -> list[Escalation]:
    """Every escalation due as of ``as_of`` that is not already decided.

    Catch-up safe: a rung is due from the day it fires, not only on that day, so a skipped
    night is made up by the next one; a repeated night proposes nothing in
    ``already_decided``.

    Args:
        deadlines: the deadlines of one local authority's cases (any not yet met).
        as_of: today in Europe/London, computed once by the caller.
        calendar: that local authority's working calendar.
        ladder: the authority's ladder (``LADDER`` by default).
        already_decided: natural keys of escalations recorded earlier.

    Returns:
        The new escalations, in input order and ladder order within a deadline.
    """
    deadlines = list(deadlines)
    # R12c's combined date and its components: one duty on one date is one email.
    silenced = spoken_for((c, d) for c, d in deadlines if track_of(d, as_of) is not None)
    decided = []
    for case_ref, deadline in deadlines:
        track = track_of(deadline, as_of)
        if track is None or (case_ref, deadline.key, deadline.instance) in silenced:
            continue
        for rung in _due_rungs(ladder, track, deadline, as_of, calendar):
            esc = _escalation(case_ref, deadline, rung, as_of, calendar)
            if esc.key not in already_decided:
                decided.append(esc)
    return decided


NEVER = dt.date.max  # no rung left that could fire, until the case's deadlines change


# Raise when ``decide_escalations`` or ``next_nights`` changes what they decide: every
# night already computed is then read again (``ladder_fingerprint`` includes it).
DECISION_RULES_VERSION = 1


def ladder_fingerprint(ladder: Ladder, calendar_version: str | None) -> str:
    """What ``next_nights`` depended on besides the deadlines: a hash of the ladder, of
    the calendar (its working days) and of these rules, so a change to any is noticed."""
    text = repr((DECISION_RULES_VERSION, ladder, calendar_version))
    return hashlib.sha256(text.encode()).hexdigest()


def next_nights(
    deadlines: Iterable[CaseDeadline],
    as_of: dt.date,
    calendar: WorkingCalendar,
    ladder: Ladder = LADDER,
    decided: Collection[EscalationKey] = frozenset(),
) -> dict[str, dt.date]:
    """For each case, the first night after ``as_of`` on which a rung not yet decided
    could fire: until then the sweep need not read the case again (unless its deadlines
    change, which the store marks). ``NEVER`` when no rung is left.

    Args:
        deadlines: every open deadline of the cases (not only those near their date).
        as_of, calendar, ladder: as for ``decide_escalations``.
        decided: natural keys recorded so far, tonight's included.

    Returns:
        Case reference to night. Early is harmless (the case is read and nothing is
        due); late would lose a notice, so a deadline that could change track (a limit
        met only after ``as_of``, a window acted on after it: a past night swept) counts
        on every track it could take.
    """
    nights: dict[str, dt.date] = {}
    for case_ref, deadline in deadlines:
        night = nights.setdefault(case_ref, NEVER)
        tracks = {track_of(deadline, as_of), track_of(deadline, NEVER)} - {None}
        for rung in ladder:
            if rung.track not in tracks or (rung.when == "before" and deadline.due is None):
                continue
            if (case_ref, deadline.key, deadline.instance, rung.level) in decided:
                continue
            fires = fires_on(rung, deadline, calendar)
            if as_of < fires < night:
                night = fires
        nights[case_ref] = night
    return nights


def withdrawal_reason(track: Track, deadline: Deadline | None) -> str | None:
    """Why a notice decided earlier on ``track`` must not be sent now, or None if it stands.

    A notice can wait days for delivery (the mail server was down). By then the case may
    have moved on, and a reminder or breach notice about a deadline that is met, or whose
    limit an exception has since disapplied, is wrong. Judged on the deadline as it is
    projected at delivery time, whatever the day: any recorded ``met_on`` counts.

    Args:
        track: the track the escalation was decided on.
        deadline: the same deadline (case, key, instance) in today's projection, or None
            when the projection no longer has it (its trigger was corrected away).

    Returns:
        A sentence for the record, or None when the notice is still true.
    """
    if deadline is None:
        return "the deadline no longer exists in the case's projection"
    if track is Track.PREMATURE:
        return None if deadline.premature_on else "the early act is no longer recorded"
    if deadline.met_on is not None:
        by = f" by {deadline.met_by}" if deadline.met_by else ""
        return f"met on {deadline.met_on.isoformat()}{by}"
    if deadline.due is None and track is not Track.DISAPPLIED:
        exception = f" ({deadline.exception})" if deadline.exception else ""
        return f"the limit is now disapplied by a recorded exception{exception}"
    if deadline.due is not None and track is Track.DISAPPLIED:
        return f"the limit applies again: due {deadline.due.isoformat()}"
    return None


def parse_ladder(rows: Sequence[Mapping[str, Any]]) -> Ladder:
    """A ladder from configuration rows (``level``, ``track``, ``when``, ``working_days``,
    ``roles``, optional ``why``), validated.

    Args:
        rows: one mapping per rung, e.g. loaded from a local authority's YAML.

    Returns:
        The ladder, in the given order.

    Raises:
        InvalidLadder: a missing or unknown value, a repeated level, a ``before`` rung on a
            track with no due date, or an advisory rung addressed beyond the caseworker.
    """
    ladder = tuple(_parse_rung(i, row) for i, row in enumerate(rows))
    levels = [r.level for r in ladder]
    repeated = sorted({lv for lv in levels if levels.count(lv) > 1})
    if repeated:
        raise InvalidLadder(f"levels must be unique in a ladder; repeated: {', '.join(repeated)}")
    return ladder


def _parse_rung(index: int, row: Mapping[str, Any]) -> Rung:
    where = f"ladder row {index + 1}"
    try:
        rung = Rung(
            level=str(row["level"]),
            track=Track(row["track"]),
            when=_when(row["when"]),
            working_days=int(row["working_days"]),
            roles=tuple(Role(r) for r in row["roles"]),
            why=str(row.get("why", "")),
        )
    except KeyError as exc:
        raise InvalidLadder(f"{where}: missing {exc.args[0]!r}") from None
    except (ValueError, TypeError) as exc:
        raise InvalidLadder(f"{where}: {exc}") from None
    problem = _rung_problem(rung)
    if problem:
        raise InvalidLadder(f"{where} ({rung.level}): {problem}")
    return rung


def _when(value: object) -> When:
    if value == "before":
        return "before"
    if value == "breach":
        return "breach"
    raise ValueError(f"'when' must be 'before' or 'breach', not {value!r}")


def _rung_problem(rung: Rung) -> str | None:
    if not rung.level or not rung.roles:
        return "a rung needs a level and at least one role"
    if rung.working_days < 0:
        return "working_days counts away from the due date and must be 0 or more"
    if rung.when == "before" and rung.track not in (Track.STATUTORY, Track.ADVISORY):
        return f"a {rung.track} deadline has no due date to remind before"
    if rung.when == "before" and rung.working_days == 0:
        return "a reminder needs at least 1 working day's notice"
    if rung.track is Track.ADVISORY and set(rung.roles) != {Role.CASEWORKER}:
        return "advisory dates only ever go to the caseworker"
    return None


def _due_rungs(
    ladder: Ladder, track: Track, deadline: Deadline, as_of: dt.date, calendar: WorkingCalendar
) -> list[Rung]:
    rungs = [r for r in ladder if r.track is track and fires_on(r, deadline, calendar) <= as_of]
    breach = [r for r in rungs if r.when == "breach"]
    reminders = [r for r in rungs if r.when == "before"]
    # A reminder lapses once the deadline is missed, and only the nearest one is worth sending.
    if not reminders or (deadline.due is not None and as_of > deadline.due):
        return breach
    return [min(reminders, key=lambda r: r.working_days), *breach]


def _escalation(
    case_ref: str, deadline: Deadline, rung: Rung, as_of: dt.date, calendar: WorkingCalendar
) -> Escalation:
    # Advisory dates only ever go to the caseworker, whatever a ladder says (a window can be
    # advisory too, and its premature rung is shared with statutory windows).
    roles = rung.roles if deadline.statutory else (Role.CASEWORKER,)
    return Escalation(
        case_ref=case_ref,
        deadline_key=deadline.key,
        instance=deadline.instance,
        level=rung.level,
        track=rung.track,
        when=rung.when,
        working_days=rung.working_days,
        roles=roles,
        rule=deadline.rule,
        statutory=deadline.statutory,
        due=deadline.due,
        nominal=deadline.nominal,
        premature_on=deadline.premature_on,
        fires_on=fires_on(rung, deadline, calendar),
        days_late=days_late(deadline, as_of),
        citation=deadline.citation,
    )


def _first_day_of_breach(deadline: Deadline) -> dt.date:
    if deadline.kind == "window":
        assert deadline.premature_on is not None
        return deadline.premature_on
    return (deadline.due or deadline.nominal) + dt.timedelta(days=1)
