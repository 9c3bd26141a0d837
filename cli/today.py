"""Today's date in England: the default ``as_of`` for every command, computed once."""

from __future__ import annotations

import datetime as dt

import pendulum


def london_today() -> dt.date:
    """The calendar date in Europe/London now (not the server's UTC date: just after
    midnight in summer they differ)."""
    now = pendulum.now("Europe/London")
    return dt.date(now.year, now.month, now.day)


def utc_now() -> dt.datetime:
    """The instant now, aware UTC (when an account change or a session happened)."""
    return dt.datetime.now(dt.UTC)
