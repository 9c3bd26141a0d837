"""Headers every response carries, and the last line of defence for unexpected errors.

``Hardening`` wraps the whole application (outside Starlette's own error middleware), so
that even the 500 page gets the headers, and an unexpected exception is logged with its
traceback on the server while the browser gets only the Design System's "Sorry, there is
a problem with the service" page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("ehc.web")

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
    def __init__(
        self, app: ASGIApp, *, hsts: bool, error_page: Callable[[Request], Response],
    ) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in (*HEADERS, *((HSTS,) * hsts))]
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        dynamic = not scope["path"].startswith("/static/")

        async def send_hardened(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() not in {k for k, _ in self.headers}]
                headers.extend(self.headers)
                if dynamic:  # pages may show casework: never kept by browsers or proxies
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_hardened)
        except Exception:
            log.exception("unexpected error serving %s %s", scope.get("method"), scope["path"])
            if started:
                raise
            response = self.error_page(Request(scope))
            await response(scope, receive, send_hardened)
