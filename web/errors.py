"""Every failure as a page in the Design System's style, with the right status code.

The application layer's errors map one to one (``STATUS``); ``NotFound`` covers another
authority's things too, so its page never says more than "not found". Nothing shows a
traceback: unexpected errors are ``web.security.Hardening``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from services import errors
from web.auth import LoginRequired, login_url
from web.csrf import CsrfFailure
from web.templating import render

log = logging.getLogger("ehc.web")

PAGES: Mapping[int, tuple[str, tuple[str, ...]]] = {
    400: ("There is a problem with what was sent",
          ("Go back, check what you entered and try again.",)),
    403: ("You cannot do this",
          ("Your role does not allow it. Ask your team manager if you think it should.",)),
    404: ("Page not found",
          ("If you typed the web address, check it is correct.",
           "If you pasted the web address, check you copied the entire address.")),
    405: ("Page not found", ("If you typed the web address, check it is correct.",)),
    409: ("Someone else changed this first",
          ("Go back, reload the page to see their change, and try again.",)),
    422: ("This cannot be done", ("Go back and check what you entered.",)),
    500: ("Sorry, there is a problem with the service",
          ("Try again later.", "Nothing you entered has been saved unless you were told so.")),
    503: ("Sorry, the service is unavailable",
          ("Try again in a few minutes.",)),
}

STATUS: Mapping[type[errors.ServiceError], int] = {
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.InvalidInput: 422,  # bad input at the door (services.door), as the CLI's exit 2
    errors.Refused: 422,
    errors.Conflict: 409,
    errors.Unavailable: 503,
}


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    heading, lines = PAGES.get(status, PAGES[500])
    shown = (message, *lines) if message else lines
    return render(request, "pages/error.html", title=heading, status_code=status,
                  heading=heading, lines=shown)


def failure_page(request: Request, exc: Exception) -> Response:
    """The page for an exception no route handler took: the application layer's errors
    as usual (the session lookup runs outside the handlers), anything else a 500 whose
    traceback goes to the server log only."""
    if isinstance(exc, errors.ServiceError):
        return _service_error(request, exc)
    log.error("unexpected error serving %s %s", request.method, request.url.path,
              exc_info=exc)
    return error_page(request, 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]
    app.add_exception_handler(CsrfFailure, _csrf_failure)
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(errors.ServiceError, _service_error)  # type: ignore[arg-type]


def _login_required(request: Request, exc: LoginRequired) -> Response:
    return RedirectResponse(login_url(exc.next_path, expired=exc.expired), status_code=303)


def _csrf_failure(request: Request, exc: Exception) -> Response:
    heading = "This form has expired"
    lines = ("For your security, forms stop working when you sign out or after a while.",
             "Go back, reload the page and try again.")
    return render(request, "pages/error.html", title=heading, status_code=403,
                  heading=heading, lines=lines)


def _http_error(request: Request, exc: HTTPException) -> Response:
    return error_page(request, exc.status_code)


def _invalid_request(request: Request, exc: Exception) -> Response:
    return error_page(request, 400)


def _service_error(request: Request, exc: errors.ServiceError) -> Response:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
    # Forbidden and the rest say why; NotFound keeps to the generic page (its message
    # would be the same for another authority's thing, but "Page not found" says enough).
    return error_page(request, status, None if status == 404 else exc.message)
