"""Calendar arithmetic the rules need, as pure functions over any ``WorkingCalendar``.

Conventions (``shared/statutory-rules.md``): working days per T6; deemed postal service per
R29/§6 and reading A3 (Practice Direction 1985); Tribunal roll-forward per HESC r.12 and
reading A7; the school-closure exception window per §5.1 and reading A9.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from calendars.base import Closure, WorkingCalendar

ServiceMethod = Literal["email", "hand", "first_class_post", "second_class_post"]

# R29 / PD 1985: posted documents are served on the n-th working day after posting.
_POSTAL_WORKING_DAYS: dict[str, int] = {"first_class_post": 2, "second_class_post": 4}
_SAME_DAY_METHODS = frozenset({"email", "hand"})

# §5.1: only a closure of at least 4 continuous weeks opens the reg 10(4)(a)/(b) window,
# which runs from one week before the first closed day to one week before reopening.
MIN_CLOSURE_DAYS = 28
WINDOW_LEAD_DAYS = 7

# Reg 15(2): the old LA must have been aware "at least 15 working days prior to" the move.
TRANSFER_NOTICE_WORKING_DAYS = 15


def working_days_beginning_with(start: dt.date, n: int, cal: WorkingCalendar) -> dt.date:
    """The last day of "``n`` working days beginning with ``start``" (T6).

    Closed interval starting at ``start``: ``start`` is day 1 when it is a working day;
    otherwise day 1 is the next working day. Example: 15 working days beginning
    Mon 15 Dec 2025 end on Wed 7 Jan 2026.

    Args:
        start: The day the period begins with (e.g. the day the LA became aware, reg 15(2)).
        n: The number of working days, at least 1.
        cal: The calendar that says which days are working days.

    Returns:
        The ``n``-th working day of the period.

    Raises:
        ValueError: ``n`` is less than 1.
    """
    if n < 1:
        raise ValueError(f"a period of working days needs at least 1 day, not {n}")
    if cal.is_working_day(start):
        return start if n == 1 else cal.add_working_days(start, n - 1)
    return cal.add_working_days(start, n)


def deemed_served(posted_on: dt.date, method: ServiceMethod, cal: WorkingCalendar) -> dt.date:
    """The day a document is deemed served (R29, §6, reading A3).

    Posting day not counted (open interval): first-class post is served on the 2nd working
    day after posting, second-class on the 4th (Interpretation Act 1978 s.7 and the 1985
    Practice Direction). E-mail and hand delivery are served the day they are sent.
    Examples: first class posted Thu 17 Apr 2025 is served Wed 23 Apr 2025 (Easter);
    posted Tue 23 Dec 2025 is served Mon 29 Dec 2025.

    Args:
        posted_on: The day the document was posted, e-mailed or handed over.
        method: ``first_class_post``, ``second_class_post``, ``email`` or ``hand``.
        cal: The calendar that says which days are working days.

    Returns:
        The deemed day of service (rebuttable by proof of actual delivery).

    Raises:
        ValueError: ``method`` is not one of the four above.
    """
    if method in _SAME_DAY_METHODS:
        return posted_on
    if method in _POSTAL_WORKING_DAYS:
        return cal.add_working_days(posted_on, _POSTAL_WORKING_DAYS[method])
    raise ValueError(f"unknown service method {method!r}")


def _in_christmas_break(day: dt.date) -> bool:
    return (day.month, day.day) >= (12, 25) or (day.month, day.day) == (1, 1)


def tribunal_roll_forward(day: dt.date, cal: WorkingCalendar) -> dt.date:
    """Where a Tribunal SEN deadline that falls on ``day`` really ends (R26, HESC r.12, A7).

    A deadline in August moves to the first working day of September; one in 25 Dec-1 Jan
    (inclusive) moves to the first working day after 1 Jan; any other non-working day
    moves to the next working day. The rules repeat until the day is none of these, so a
    Saturday 31 July moves past August too. A working day outside those periods is kept.

    Args:
        day: The nominal last day (e.g. decision sent + 2 months, T4).
        cal: The calendar that says which days are working days.

    Returns:
        The rolled-forward last day (act by 5pm on it, r.12(1)).
    """
    while True:
        if day.month == 8:
            day = dt.date(day.year, 9, 1)
        elif _in_christmas_break(day):
            day = dt.date(day.year + (day.month == 12), 1, 2)
        elif not cal.is_working_day(day):
            day += dt.timedelta(days=1)
        else:
            return day


def closure_window_contains(closure: Closure, requested_on: dt.date) -> bool:
    """Whether advice requested on ``requested_on`` falls in ``closure``'s exception window.

    Reg 10(4)(a)/(b) (also regs 5(4), 13(3), 27(3)), §5.1 and A9: the closure must last at
    least 28 days (``reopens_on - closed_from >= 28``) and the request must be made in the
    closed interval [``closed_from - 7``, ``reopens_on - 7``]. This is *availability* only:
    the LA must still decide that the closure made the time limit impractical.

    Args:
        closure: The closure of the school or provider that was asked for advice.
        requested_on: The day the advice was requested.

    Returns:
        True when the exception is available for that request.
    """
    if closure.length_days < MIN_CLOSURE_DAYS:
        return False
    lead = dt.timedelta(days=WINDOW_LEAD_DAYS)
    return closure.closed_from - lead <= requested_on <= closure.reopens_on - lead


def qualifying_closures(closures: Iterable[Closure], requested_on: dt.date) -> tuple[Closure, ...]:
    """The closures whose reg 10(4)(a)/(b) window contains ``requested_on`` (§5.1).

    Args:
        closures: Closures of the school concerned (e.g. ``cal.closures(school)``).
        requested_on: The day the advice was requested.

    Returns:
        Those closures, in the order given, for which ``closure_window_contains`` is true.
    """
    return tuple(c for c in closures if closure_window_contains(c, requested_on))


def aware_in_time(aware_on: dt.date, move_date: dt.date, cal: WorkingCalendar) -> bool:
    """Whether the old LA knew of a move "at least 15 working days prior to" it (reg 15(2)).

    Move day not counted (open interval): awareness on or before the 15th working day
    before ``move_date`` is in time (R17, T6); the plan then transfers on the day of the
    move, otherwise within 15 working days beginning with ``aware_on``.

    Args:
        aware_on: The day the old LA became aware of the move.
        move_date: The day of the move.
        cal: The calendar that says which days are working days.

    Returns:
        True when ``aware_on`` is no later than the 15th working day before the move.
    """
    return aware_on <= cal.add_working_days(move_date, -TRANSFER_NOTICE_WORKING_DAYS)
