"""The clocks that combine dates or need the rest of the history, named by
``Rule.special`` in the rules table.

Each function adjusts a clock the generic fold has started, using the rest of the
history and what belongs to what (``engine.pairing``), says in words what it did (for
staff in ``arithmetic``, for the family in ``plain_notes``), and returns whether the
clock applies at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from calendars.base import WorkingCalendar
from calendars.service import aware_in_time, tribunal_roll_forward
from engine.clocks import Case, Clock
from engine.events import (
    AmendedPlanIssued,
    FinalPlanIssued,
    PlanLastReviewed,
    ReviewDecisionNotified,
    ReviewMeetingHeld,
    event_date,
)
from engine.periods import DayBefore, OnDate, add_months, day_name, long_date
from engine.plain import event_phrase
from engine.rules import TIMESCALES

# Reg 18(1)'s fixed dates govern the transfers at the start of a school year (the year
# begins with the first term after July, Education Act 1996 s.579(1)): a transfer dated in
# August or September. Other times are not governed by reg 18(1) (§4 R13).
START_OF_SCHOOL_YEAR = (8, 9)


def _due(key: str, start: dt.date, cal: WorkingCalendar) -> dt.date:
    """The date the TIMESCALES row ``key`` gives from ``start``: the combined clocks take
    their component periods from the table, so a change in the law stays one row."""
    period = next(rule.period for rule in TIMESCALES if rule.key == key)
    return period.apply(start, cal)[0]


def earliest_of_reg22_and_devon(clock: Clock, case: Case) -> bool:
    """R12c / A8: due = min(notice + 8 weeks, meeting + 12 weeks), where the meeting is the
    review that decided to amend (``engine.pairing``); a notice that no review decided has
    only its reg 22(3) date."""
    source = case.pairing.amendment_source(clock.trigger)
    if not isinstance(source, ReviewMeetingHeld):
        clock.arithmetic += (
            "; no review on file decided this amendment, so only reg 22(3) applies"
            if source is None
            else f"; it carries out the {source.type.replace('_', ' ')} of "
            f"{long_date(event_date(source))}, whose own clock is reported separately, so "
            "only reg 22(3) applies here"
        )
        return True
    meeting = source.date
    backstop = _due("amended_plan_devon_backstop", meeting, case.calendar)
    notice_due = _due("amendment_notice_due", meeting, case.calendar)
    reg22 = clock.nominal
    clock.nominal = min(reg22, backstop)
    clock.arithmetic = (
        f"the earlier of 8 weeks after the notice ({long_date(reg22)}, reg 22(3)) and 12 weeks "
        f"after the review meeting on {long_date(meeting)} ({long_date(backstop)}, Devon)"
    )
    clock.plain_notes += [
        "It is the earlier of two dates.",
        f"One is 8 weeks after the council sent you the proposed changes: {day_name(reg22)}.",
        f"The other is 12 weeks after the review meeting on {day_name(meeting)}: "
        f"{day_name(backstop)}.",
    ]
    if clock.start > notice_due:
        clock.arithmetic += (
            f"; the notice was late (due by {long_date(notice_due)}), so "
            "the 12-week date is missed whatever happens and reg 22(3) still runs"
        )
        clock.plain_notes.append(
            f"The proposed changes should have been sent by {day_name(notice_due)}."
        )
    return True


def reg15_2_transfer(clock: Clock, case: Case) -> bool:
    """R17: on the day of the move if known 15 working days ahead, else 15 working days
    beginning with the day the old LA became aware."""
    move: dt.date = getattr(clock.trigger, "move_date")  # noqa: B009 - R17 rows only
    if aware_in_time(clock.start, move, case.calendar):
        clock.nominal = move
        clock.arithmetic = (
            f"the old authority knew at least 15 working days before the move on "
            f"{long_date(move)}, so the plan must transfer on the day of the move"
        )
        clock.plain_notes += [
            "The old council knew about the move at least 15 working days before it.",
            f"So the plan must move on the day of the move, {day_name(move)}.",
        ]
    else:
        clock.nominal, counted = clock.rule.period.apply(clock.start, case.calendar)
        clock.arithmetic = (
            f"the old authority learnt of the move (on {long_date(move)}) less than 15 working "
            f"days ahead, so it has {counted}"
        )
        clock.plain_notes += [
            f"The old council learnt of the move on {day_name(clock.start)}, less than 15 "
            "working days before it.",
            "So it has 15 working days, starting on that day. Weekends and bank holidays are "
            "not counted.",
        ]
    return True


def reg15_5_review(clock: Clock, case: Case) -> bool:
    """R19: the later of the ordinary 12-month review date and 3 months from the transfer."""
    anchors = [
        when
        for when, e in case.dated
        if isinstance(e, FinalPlanIssued | PlanLastReviewed | ReviewDecisionNotified)
        and when <= clock.start
    ]
    if not anchors:
        clock.arithmetic += "; no earlier review or plan date is on file"
        return True
    ordinary = _due("annual_review_due", anchors[-1], case.calendar)
    three = clock.nominal
    clock.plain_notes += [
        "It is the later of two dates.",
        f"One is the end of 12 months from the plan's last review or issue: {day_name(ordinary)}.",
        f"The other is the end of 3 months from the transfer: {day_name(three)}.",
    ]
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


def appeal(clock: Clock, case: Case) -> bool:
    """R26: the later of letter + 2 months and certificate + 1 month, then r.12 roll-forward.
    Only a certificate of the mediation about this letter counts (``engine.pairing``)."""
    certificates = case.pairing.certificates_for(clock.trigger)
    plain = f"This is 2 months after {event_phrase(clock.trigger)}."
    if certificates:
        after_certificate = add_months(certificates[0], 1)
        if after_certificate > clock.nominal:
            clock.arithmetic = (
                f"1 month after the mediation certificate of {long_date(certificates[0])}, "
                "which is later than 2 months after the decision letter "
                f"({long_date(clock.nominal)})"
            )
            plain = (
                f"This is 1 month after the mediation certificate of "
                f"{day_name(certificates[0])}. That is later than 2 months after the "
                "decision letter."
            )
            clock.nominal = after_certificate
    clock.plain_notes.append(plain)
    rolled = tribunal_roll_forward(clock.nominal, case.calendar)
    if rolled != clock.nominal:
        in_august = clock.nominal.month == 8
        at_christmas = (clock.nominal.month, clock.nominal.day) >= (12, 25) or (
            clock.nominal.day == 1 and clock.nominal.month == 1
        )
        why = (
            "August does not count in SEN appeals"
            if in_august
            else "25 December to 1 January does not count"
            if at_christmas
            else "it is not a working day"
        )
        clock.arithmetic += (
            f"; that is {long_date(clock.nominal)}, but {why}, so it moves to "
            f"{long_date(rolled)} (HESC r.12, A7)"
        )
        clock.plain_notes += [
            f"That would be {day_name(clock.nominal)}.",
            "Days in August do not count for these appeals, so the time runs on to "
            "September." if in_august else
            "The days from 25 December to 1 January do not count for these appeals."
            if at_christmas else "That is not a working day.",
            f"So the last day is {day_name(rolled)}.",
        ]
        clock.nominal = rolled
    return True


def reg18_transfer(clock: Clock, case: Case) -> bool:
    """R13: met by the first amended plan (or decision to keep the plan unchanged) in the 12
    months before the transfer. The forecast sorts at the transfer date, after the reviews
    that meet it, so the fold alone cannot pair them. Reg 18(1)'s fixed dates govern only a
    transfer at the start of a school year (August or September); reg 18(2)'s five months
    govern a post-16 to post-16 transfer at any time."""
    transfer = clock.start
    if isinstance(clock.rule.period, OnDate | DayBefore):
        if transfer.month not in START_OF_SCHOOL_YEAR:
            case.warn(
                clock.trigger,
                f"the phase transfer on {long_date(transfer)} is not at the start of a school "
                "year, so reg 18(1)'s fixed date does not govern it: review and amend the "
                "plan in good time before the move under the ordinary review rules",
            )
            return False
    elif clock.nominal >= transfer:
        return False
    opens = add_months(transfer, -12)
    for when, event in case.dated:
        done = isinstance(event, AmendedPlanIssued) or (
            isinstance(event, ReviewDecisionNotified) and event.outcome == "maintain"
        )
        if done and opens <= when <= transfer:
            clock.met_on, clock.met_by = when, event.type
            break
    return True


def unscheduled_meeting(clock: Clock, case: Case) -> bool:
    """R09 for a meeting recorded as held: applies only when no ``review_meeting_scheduled``
    is on file for its date (that schedule's own R09 clocks report it then)."""
    if case.pairing.meeting_was_scheduled(clock.start):
        return False
    clock.arithmetic += (
        "; the meeting is on file without a review_meeting_scheduled, so the date is "
        "reported from the meeting and judged by what was recorded before it"
    )
    if clock.met_on is None:
        what = clock.rule.stops[0].type
        clock.warnings.append(
            f"no {what} is on file before the review meeting of {long_date(clock.start)}; "
            f"if it was done, record it with its date"
        )
    return True


def icb_told(clock: Clock, case: Case) -> bool:
    """R23 for health issues only: the ICB's 30 days run from the day the LA tells it, and
    the LA has 3 working days from the parent's request to do so."""
    told = case.pairing.icb_told_on(clock.trigger)
    if told is not None:
        clock.start, clock.nominal = told, told + dt.timedelta(days=30)
        clock.arithmetic = f"30 calendar days after the LA told the ICB on {long_date(told)}"
        clock.plain_notes.append(
            f"This is 30 days after the council told the health service, {day_name(told)}."
        )
        return True
    latest = case.calendar.add_working_days(clock.start, 3)
    clock.nominal = latest + dt.timedelta(days=30)
    clock.arithmetic = (
        f"30 calendar days after the last day the LA may tell the ICB ({long_date(latest)}, 3 "
        "working days after the request); telling it is not on file yet"
    )
    clock.plain_notes += [
        "The council has not yet recorded telling the health service.",
        f"It must do so by {day_name(latest)}.",
        "This is 30 days after that.",
    ]
    return True


SPECIALS: dict[str, Callable[[Clock, Case], bool]] = {
    "earliest_of_reg22_and_devon": earliest_of_reg22_and_devon,
    "reg15_2_transfer": reg15_2_transfer,
    "reg15_5_review": reg15_5_review,
    "appeal": appeal,
    "reg18_transfer": reg18_transfer,
    "unscheduled_meeting": unscheduled_meeting,
    "icb_told": icb_told,
}
