"""School closures derived from term dates, INSET days and explicit closures (reading A9).

A school is *open* on every working day inside a term (outside the term's breaks) and on
every INSET day: staff are in, so a head teacher can answer an advice request (A9).
A closure is a run of days between two open days that contains at least one working day;
it starts on the first closed day (``closed_from``) and ends when the school reopens to
staff (``reopens_on``). Ordinary weekends and a bank-holiday Monday inside a term are not
closures. Only the gaps *between* known terms are derived: before the first term and
after the last one nothing is known, so give such a closure explicitly if it is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from calendars.base import Closure
from calendars.la_data import ExplicitClosure, LaCalendarData, Term

_DAY = dt.timedelta(days=1)


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += _DAY


def open_days(
    terms: Iterable[Term],
    inset_days: Iterable[dt.date],
    is_working_day: Callable[[dt.date], bool],
) -> list[dt.date]:
    """Every day the school is open to staff, in order: term working days plus INSET days."""
    days = set(inset_days)
    for term in terms:
        for day in _days(term.first_day, term.last_day):
            in_break = any(b.first_day <= day <= b.last_day for b in term.breaks)
            if not in_break and is_working_day(day):
                days.add(day)
    return sorted(days)


def _term_source(day: dt.date, terms: Iterable[Term]) -> str:
    return next((t.source for t in terms if t.first_day <= day <= t.last_day), "")


def derive_closures(
    school: str,
    terms: tuple[Term, ...],
    inset_days: tuple[dt.date, ...],
    explicit: tuple[ExplicitClosure, ...],
    is_working_day: Callable[[dt.date], bool],
    source_url: Callable[[str], str] = lambda _: "",
) -> tuple[Closure, ...]:
    """The closures of one school, in date order.

    Args:
        school: The identifier put on each ``Closure``.
        terms: The school's terms.
        inset_days: Its INSET days (open to staff, A9).
        explicit: Closures given directly in the data; kept as they are.
        is_working_day: The working-day test (T6) that tells a weekend from a closure.
        source_url: Maps a source id from the data to its URL for ``Closure.source``.

    Returns:
        Derived closures between consecutive open days, plus the explicit ones, sorted by
        ``closed_from`` (duplicates of the same span are given once).
    """
    found: dict[tuple[dt.date, dt.date], Closure] = {}
    opened = open_days(terms, inset_days, is_working_day)
    for before, after in zip(opened, opened[1:], strict=False):
        gap = list(_days(before + _DAY, after - _DAY))
        if any(is_working_day(day) for day in gap):
            refs = {_term_source(before, terms), _term_source(after, terms)} - {""}
            urls = sorted(filter(None, (source_url(ref) for ref in refs)))
            found[(before + _DAY, after)] = Closure(school, before + _DAY, after, " ; ".join(urls))
    for given in explicit:
        key = (given.closed_from, given.reopens_on)
        found.setdefault(key, Closure(school, *key, source_url(given.source)))
    return tuple(found[key] for key in sorted(found))


def closures_for(
    data: LaCalendarData,
    school: str | None,
    is_working_day: Callable[[dt.date], bool],
) -> tuple[Closure, ...]:
    """``school``'s closures: its own data where the LA file has some, else the LA default.

    Each field a school entry leaves out (terms, INSET days, explicit closures) falls back to
    the LA's. A school not in the file, or ``None``, gets the LA's default term dates.
    """
    own = data.schools.get(school) if school is not None else None
    terms = data.terms if own is None or own.terms is None else own.terms
    inset = data.inset_days if own is None or own.inset_days is None else own.inset_days
    explicit = data.closures if own is None or own.closures is None else own.closures
    return derive_closures(
        school or "", terms, inset, explicit, is_working_day, data.source_url
    )
