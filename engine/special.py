"""The five clocks that combine dates, named by ``Rule.special`` in the rules table.

Each function adjusts a clock the generic fold has started, using the rest of the
history, says in words what it did, and returns whether the clock applies at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from calendars.base import WorkingCalendar
from calendars.service import aware_in_time, tribunal_roll_forward
from engine.clocks import Clock
from engine.events import (
    AmendedPlanIssued,
    CaseEvent,
    FinalPlanIssued,
    MediationCertificateIssued,
    PlanLastReviewed,
    ReviewDecisionNotified,
    ReviewMeetingHeld,
    event_date,
)
from engine.periods import (
    add_months,
    long_date,
)
from engine.rules import TIMESCALES


def _due(key: str, start: dt.date, cal: WorkingCalendar) -> dt.date:
    """The date the TIMESCALES row ``key`` gives from ``start``: the combined clocks take
    their component periods from the table, so a change in the law stays one row."""
    period = next(rule.period for rule in TIMESCALES if rule.key == key)
    return period.apply(start, cal)[0]


def earliest_of_reg22_and_devon(
    clock: Clock, events: Sequence[CaseEvent], cal: WorkingCalendar
) -> bool:
    """R12c / A8: due = min(notice + 8 weeks, meeting + 12 weeks)."""
    meetings = [e for e in events if isinstance(e, ReviewMeetingHeld) and e.date <= clock.start]
    if not meetings:
        clock.arithmetic += "; no review meeting is on file, so only reg 22(3) applies"
        return True
    meeting = meetings[-1].date
    backstop = _due("amended_plan_devon_backstop", meeting, cal)
    notice_due = _due("amendment_notice_due", meeting, cal)
    reg22 = clock.nominal
    clock.nominal = min(reg22, backstop)
    clock.arithmetic = (
        f"the earlier of 8 weeks after the notice ({long_date(reg22)}, reg 22(3)) and 12 weeks "
        f"after the review meeting on {long_date(meeting)} ({long_date(backstop)}, Devon)"
    )
    if clock.start > notice_due:
        clock.arithmetic += (
            f"; the notice was late (due by {long_date(notice_due)}), so "
            "the 12-week date is missed whatever happens and reg 22(3) still runs"
        )
    return True


def reg15_2_transfer(clock: Clock, events: Sequence[CaseEvent], cal: WorkingCalendar) -> bool:
    """R17: on the day of the move if known 15 working days ahead, else 15 working days
    beginning with the day the old LA became aware."""
    move: dt.date = getattr(clock.trigger, "move_date")  # noqa: B009 - R17 rows only
    if aware_in_time(clock.start, move, cal):
        clock.nominal = move
        clock.arithmetic = (
            f"the old authority knew at least 15 working days before the move on "
            f"{long_date(move)}, so the plan must transfer on the day of the move"
        )
    else:
        clock.nominal, counted = clock.rule.period.apply(clock.start, cal)
        clock.arithmetic = (
            f"the old authority learnt of the move (on {long_date(move)}) less than 15 working "
            f"days ahead, so it has {counted}"
        )
    return True


def reg15_5_review(clock: Clock, events: Sequence[CaseEvent], cal: WorkingCalendar) -> bool:
    """R19: the later of the ordinary 12-month review date and 3 months from the transfer."""
    anchors = [
        event_date(e)
        for e in events
        if isinstance(e, FinalPlanIssued | PlanLastReviewed | ReviewDecisionNotified)
        and event_date(e) <= clock.start
    ]
    if not anchors:
        clock.arithmetic += "; no earlier review or plan date is on file"
        return True
    ordinary = _due("annual_review_due", anchors[-1], cal)
    if ordinary > clock.nominal:
        clock.arithmetic = (
            f"the later of the 12 months from the last review or plan ({long_date(ordinary)}) "
            f"and 3 months beginning with the transfer ({long_date(clock.nominal)})"
        )
        clock.nominal = ordinary
    else:
        clock.arithmetic += (
            f", which is later than the 12 months from the last review ({long_date(ordinary)})"
        )
    return True


def appeal(clock: Clock, events: Sequence[CaseEvent], cal: WorkingCalendar) -> bool:
    """R26: the later of letter + 2 months and certificate + 1 month, then r.12 roll-forward."""
    certificates = [
        e.date
        for e in events
        if isinstance(e, MediationCertificateIssued) and e.date >= clock.start
    ]
    if certificates:
        after_certificate = add_months(certificates[0], 1)
        if after_certificate > clock.nominal:
            clock.arithmetic = (
                f"1 month after the mediation certificate of {long_date(certificates[0])}, "
                "which is later than 2 months after the decision letter "
                f"({long_date(clock.nominal)})"
            )
            clock.nominal = after_certificate
    rolled = tribunal_roll_forward(clock.nominal, cal)
    if rolled != clock.nominal:
        why = (
            "August does not count in SEN appeals"
            if clock.nominal.month == 8
            else "25 December to 1 January does not count"
            if (clock.nominal.month, clock.nominal.day) >= (12, 25) or clock.nominal.day == 1
            and clock.nominal.month == 1
            else "it is not a working day"
        )
        clock.arithmetic += (
            f"; that is {long_date(clock.nominal)}, but {why}, so it moves to "
            f"{long_date(rolled)} (HESC r.12, A7)"
        )
        clock.nominal = rolled
    return True


def reg18_transfer(clock: Clock, events: Sequence[CaseEvent], cal: WorkingCalendar) -> bool:
    """R13: met by the first amended plan (or decision to keep the plan unchanged) in the 12
    months before the transfer. The forecast sorts at the transfer date, after the reviews
    that meet it, so the fold alone cannot pair them. A transfer on or before the fixed date
    of its year is not one reg 18 governs (ordinary review rules apply)."""
    transfer = clock.start
    if clock.nominal >= transfer:
        return False
    opens = add_months(transfer, -12)
    for event in events:
        done = isinstance(event, AmendedPlanIssued) or (
            isinstance(event, ReviewDecisionNotified) and event.outcome == "maintain"
        )
        if done and opens <= event_date(event) <= transfer:
            clock.met_on, clock.met_by = event_date(event), event.type
            break
    return True


SPECIALS: dict[str, Callable[[Clock, Sequence[CaseEvent], WorkingCalendar], bool]] = {
    "earliest_of_reg22_and_devon": earliest_of_reg22_and_devon,
    "reg15_2_transfer": reg15_2_transfer,
    "reg15_5_review": reg15_5_review,
    "appeal": appeal,
    "reg18_transfer": reg18_transfer,
}
