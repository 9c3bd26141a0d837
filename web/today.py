"""The London day of the app's clock: what pages and the API judge deadlines on."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from starlette.requests import Request

LONDON = ZoneInfo("Europe/London")


def london_today(request: Request) -> dt.date:
    """Today in England by ``request.app.state.clock`` (not the server's UTC date)."""
    now: dt.datetime = request.app.state.clock()
    return now.astimezone(LONDON).date()
