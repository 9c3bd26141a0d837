"""The iCalendar subscription URL, ``/feeds/<token>.ics`` (no sign-in: the secret token
is the key, as calendar apps cannot sign in). Unknown and revoked feeds are 404."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services import feeds

router = APIRouter()


@router.get("/feeds/{token}.ics", name="feed")
def feed(request: Request, token: str) -> Response:
    body = feeds.feed_calendar(request.app.state.engine, token)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="deadlines.ics"'})
