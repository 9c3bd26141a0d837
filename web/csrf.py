"""CSRF protection for every form: a synchronizer token checked on every POST.

Signed in, the token is the session's own (``web_sessions.csrf_token``, made at log-in).
Before log-in (the log-in form itself) it is a random token in a short-lived HttpOnly
cookie that the form must echo. ``verify`` runs as an application-wide dependency, so no
route can forget it; a mismatch is ``CsrfFailure`` (a 403 page). The JSON API (``/api/``,
issue 11) authenticates by bearer token, never by cookie, and is exempt.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from web.settings import WebSettings

FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PREFIX = "/api/"
LOGIN_COOKIE_SECONDS = 60 * 60 * 2


class CsrfFailure(Exception):
    """A POST without the right token: forged, or the form outlived its session."""


def expected(request: Request) -> str | None:
    signed_in = getattr(request.state, "signed_in", None)
    if signed_in is not None:
        token: str = signed_in.csrf_token
        return token
    settings: WebSettings = request.app.state.settings
    return request.cookies.get(settings.login_csrf_cookie) or None


def token_for(request: Request) -> tuple[str, bool]:
    """The token a page's forms carry, and whether it is new (so the cookie must be set)."""
    token = expected(request)
    if token:
        return token, False
    return secrets.token_urlsafe(32), True


def set_login_cookie(response: Response, settings: WebSettings, token: str) -> None:
    response.set_cookie(
        settings.login_csrf_cookie, token, max_age=LOGIN_COOKIE_SECONDS, path="/",
        httponly=True, samesite="lax", secure=settings.secure_cookies,
    )


async def verify(request: Request) -> None:
    """Refuse any unsafe request whose form does not carry the expected token."""
    if request.method in SAFE_METHODS or request.url.path.startswith(EXEMPT_PREFIX):
        return
    want = expected(request)
    form = await request.form()
    given = form.get(FIELD)
    if not want or not isinstance(given, str) or not secrets.compare_digest(given, want):
        raise CsrfFailure()
