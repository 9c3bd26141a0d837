"""Every API failure as an RFC 9457 problem detail (``application/problem+json``), with the
message the ``ehc`` command gives for the same failure.

``ProblemRoute`` is the API router's route class: it catches what an endpoint (or its
dependencies, or FastAPI's own validation) raises and answers with the problem, so the
HTML error pages of the rest of the app never reach an API client.

| error (services.errors)           | status |
|-----------------------------------|--------|
| no, unknown or revoked API token  | 401    |
| Forbidden (read-only token writes)| 403    |
| NotFound (incl. another authority's case) | 404 |
| Conflict (the case changed: ``expected_seq``) | 409 |
| a body that is not JSON           | 400    |
| InvalidInput, Refused (a malformed or refused event; an event id   | 422 |
|   already used for other content)   |        |
| too many calls with the token     | 429 (``Retry-After``) |
| Unavailable                       | 503    |
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services import errors
from services.api_tokens import BadToken, TooManyCalls
from web.api.models import Problem

MEDIA_TYPE = "application/problem+json"

STATUS: Mapping[type[errors.ServiceError], int] = {
    BadToken: 401,
    TooManyCalls: 429,
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.InvalidInput: 422,
    errors.Refused: 422,
    errors.Conflict: 409,
    errors.Unavailable: 503,
}


def problem(status: int, detail: str, *, field: str | None = None,
            index: int | None = None, headers: Mapping[str, str] | None = None) -> Response:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail,
                   field=field, index=index)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=MEDIA_TYPE, headers=dict(headers or {}))


def service_problem(exc: errors.ServiceError) -> Response:
    status = next(code for kind, code in STATUS.items() if isinstance(exc, kind))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyCalls) else {}
    if isinstance(exc, BadToken):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(status, exc.message, field=exc.field, index=exc.index, headers=headers)


def _validation_problem(exc: RequestValidationError) -> Response:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    return problem(422, f"{where}: {first.get('msg', 'invalid')}" if where
                   else str(first.get("msg", "invalid request")), field=where or None)


class ProblemRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except errors.ServiceError as exc:
                return service_problem(exc)
            except RequestValidationError as exc:
                return _validation_problem(exc)
            except HTTPException as exc:
                return problem(exc.status_code, str(exc.detail))

        return answer
