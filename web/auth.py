"""Who is signed in, for every request, and the dependencies pages use to require it.

``SessionLookup`` (middleware) turns the session cookie into ``request.state.signed_in``
(a ``services.accounts.SignedIn`` or None) before any route runs, so the layout can show
"Sign out" on every page, error pages included.

In a route::

    @router.get("/cases")
    def my_cases(request: Request, user: CurrentUser) -> HTMLResponse: ...

    @router.get("/team")
    def team(request: Request, user: Annotated[SignedIn, Depends(allowed(Action.VIEW_TEAM))]):

``CurrentUser`` redirects to the log-in page (and back afterwards) when nobody is signed
in; ``allowed(action)`` also refuses (403) a role the action is not for. For one case or
team, call ``services.access.authorise(user.account, action, la_code=..., not_found=...)``:
another authority's is a 404, exactly like an unknown one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from services import accounts
from services.access import Action, require_role
from services.accounts import SignedIn
from services.bootstrap import TimeSource
from web.settings import WebSettings


class LoginRequired(Exception):
    """Nobody (or nobody any more) is signed in: go to the log-in page, then back."""

    def __init__(self, next_path: str, *, expired: bool) -> None:
        self.next_path = next_path
        self.expired = expired
        super().__init__(next_path)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def look_up_session(
    request: Request, call_next: Callable[[Request], Awaitable[Response]],
) -> Response:
    """Middleware: ``request.state.signed_in`` from the session cookie (static files
    skipped: they need no one)."""
    request.state.signed_in = None
    request.state.session_token = None
    settings: WebSettings = request.app.state.settings
    token = request.cookies.get(settings.session_cookie)
    if token and not request.url.path.startswith("/static/"):
        request.state.session_token = token
        clock: TimeSource = request.app.state.clock
        request.state.signed_in = await run_in_threadpool(
            accounts.lookup_session, request.app.state.engine, token, now=clock(),
            policy=settings.policy,
        )
    return await call_next(request)


def current_user(request: Request) -> SignedIn:
    signed_in: SignedIn | None = request.state.signed_in
    if signed_in is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path, expired=request.state.session_token is not None)
    return signed_in


CurrentUser = Annotated[SignedIn, Depends(current_user)]


def allowed(action: Action) -> Callable[[SignedIn], SignedIn]:
    """A dependency: the signed-in user, provided their role allows ``action``."""

    def check(user: CurrentUser) -> SignedIn:
        require_role(user.account, action)
        return user

    return check


def login_url(next_path: str, *, expired: bool) -> str:
    url = "/login"
    if next_path and next_path != "/":
        url += f"?next={quote(next_path, safe='/')}"
    if expired:
        url += ("&" if "?" in url else "?") + "expired=1"
    return url


def safe_next(raw: str | None) -> str:
    """Where to go after log-in: only a path on this site (no open redirect)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw
