"""Today, as the pages judge deadlines: the London date of the app's clock (``app.state.clock``,
which tests move), never the server's UTC date."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request

from engine.events import LONDON
from services.bootstrap import TimeSource


def today(request: Request) -> dt.date:
    clock: TimeSource = request.app.state.clock
    return clock().astimezone(LONDON).date()
