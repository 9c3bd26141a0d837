"""Headers every response carries, and the last line of defence for unexpected errors.

``Hardening`` wraps the whole application (outside Starlette's own error middleware), so
every response, whatever made it, gets the headers. ``catch_unexpected`` (the outermost
middleware inside the app) logs an unexpected exception with its traceback on the server
while the browser gets only the Design System's "Sorry, there is a problem" page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere (the layout loads everything from /static), no
# framing, no plug-ins, forms post only here.
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)
HSTS = ("strict-transport-security", "max-age=31536000; includeSubDomains")


class Hardening:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in (*HEADERS, *((HSTS,) * hsts))]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        dynamic = not scope["path"].startswith("/static/")

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() not in {k for k, _ in self.headers}]
                headers.extend(self.headers)
                if dynamic:  # pages may show casework: never kept by browsers or proxies
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_hardened)


def catch_unexpected(
    error_page: Callable[[Request, Exception], Response],
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Middleware: anything no handler took (including errors raised by the other
    middleware, outside the routes' handlers) becomes ``error_page(request, exc)``."""

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]],
    ) -> Response:
        try:
            return await call_next(request)
        except Exception as exc:
            return error_page(request, exc)

    return middleware
