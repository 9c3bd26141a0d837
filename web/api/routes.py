"""The API's endpoints (``/api/...``) and its schema (``/openapi.json``).

Every call names its system with ``Authorization: Bearer <token>`` (``ehc api-token
create``); the token decides the authority (another authority's case is 404, as if it did
not exist) and whether it may write. Writes go through ``services.cases.record_events``,
so the log, the audit and the idempotency by client event id are the CLI's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import JSONResponse, Response

from services import api_tokens, cases, timeliness, worklist
from services.api_tokens import ApiClient
from web.api.models import (
    CaseOut,
    ClientEvent,
    DueOut,
    EventBatch,
    Problem,
    RecordedOut,
    TimelinessOut,
    figure_out,
)
from web.api.problems import MEDIA_TYPE, ProblemRoute
from web.days import today
from web.settings import WebSettings

VERSION = "1.0.0"
_bearer = HTTPBearer(auto_error=False, description="a system's API token (ehc api-token create)")


def _client(*, write: bool) -> Callable[..., ApiClient]:
    def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiClient:
        settings: WebSettings = request.app.state.settings
        return api_tokens.authenticate(
            request.app.state.engine, credentials.credentials if credentials else None,
            now=request.app.state.clock(), write=write,
            per_minute=settings.api_calls_per_minute)

    return check


Reader = Annotated[ApiClient, Depends(_client(write=False))]
Writer = Annotated[ApiClient, Depends(_client(write=True))]


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "content": {MEDIA_TYPE: {}}} for code in (401, 429, *codes)}


router = APIRouter(prefix="/api", route_class=ProblemRoute, tags=["api"])


@router.post("/cases/{reference}/events", response_model=RecordedOut, status_code=201,
             responses={200: {"model": RecordedOut, "description": "sent before: nothing new"},
                        **_problems(400, 403, 404, 409, 422, 503)})
def record_event(request: Request, reference: str, event: ClientEvent,
                 client: Writer) -> Response:
    """Record one event (idempotent by its ``id``)."""
    return _record(request, reference, [event], None, client)


@router.post("/cases/{reference}/events/batch", response_model=RecordedOut, status_code=201,
             responses={200: {"model": RecordedOut, "description": "all sent before"},
                        **_problems(400, 403, 404, 409, 422, 503)})
def record_batch(request: Request, reference: str, batch: EventBatch,
                 client: Writer) -> Response:
    """Record several events, all or none (each idempotent by its ``id``)."""
    return _record(request, reference, batch.events, batch.expected_seq, client)


@router.get("/cases/{reference}", response_model=CaseOut, responses=_problems(404, 503))
def case(request: Request, reference: str, client: Reader) -> CaseOut:
    """A case's stage and its deadlines, judged today."""
    view = cases.case_view(request.app.state.engine, reference, as_of=today(request),
                           la_code=client.la_code)
    return CaseOut.of(view)


@router.get("/deadlines", response_model=DueOut, responses=_problems(404, 422, 503))
def deadlines(
    request: Request, client: Reader,
    within: Annotated[int, Query(ge=0, le=260, description="working days ahead")] = 10,
    overdue_only: bool = False,  # noqa: FBT001, FBT002 -- a query parameter
    caseworker: str | None = None,
    team: str | None = None,
) -> DueOut:
    """Open deadlines overdue or due within ``within`` working days, overdue first."""
    found = worklist.worklist(
        request.app.state.engine, as_of=today(request), within_working_days=within,
        overdue_only=overdue_only, caseworker=caseworker, team=team, la_code=client.la_code)
    return DueOut.of(found)


@router.get("/timeliness", response_model=TimelinessOut, responses=_problems(404, 422, 503))
def timeliness_figures(
    request: Request, client: Reader, start: dt.date, end: dt.date,
    team: str | None = None, caseworker: str | None = None,
) -> TimelinessOut:
    """The authority's (or a team's, or a caseworker's) figures for ``[start, end]``."""
    as_of = today(request)
    found = timeliness.figures(request.app.state.engine, start=start, end=end, as_of=as_of,
                               la_code=client.la_code, team=team, caseworker=caseworker)
    return TimelinessOut(start=start, end=end, as_of=as_of,
                         figures=[figure_out(m, f) for m, f in found.items()])


def _record(request: Request, reference: str, events: list[ClientEvent],
            expected_seq: int | None, client: ApiClient) -> Response:
    recorded = cases.record_events(
        request.app.state.engine, reference, [e.model_dump(mode="json") for e in events],
        recorded_by=client.actor, expected_seq=expected_seq, la_code=client.la_code,
        as_of=today(request))
    body = RecordedOut.of(recorded)
    fresh = any(e.new for e in recorded.events)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if fresh else 200)


def openapi_schema() -> dict[str, Any]:
    """The API's OpenAPI document (what ``/openapi.json`` serves; docs/openapi.json)."""
    schema = get_openapi(
        title="EHC timescales API", version=VERSION, routes=router.routes,
        description="Other council systems record case events and read deadlines and "
                    "timeliness figures. Errors are RFC 9457 problem details.")
    problem = {"$ref": "#/components/schemas/Problem"}
    for operation in (op for path in schema["paths"].values() for op in path.values()):
        for code, answer in operation["responses"].items():
            if code.startswith(("4", "5")):  # every failure is a problem, never FastAPI's own
                answer["content"] = {MEDIA_TYPE: {"schema": problem}}
    for unused in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(unused, None)
    return schema


schema_router = APIRouter()


@schema_router.get("/openapi.json", include_in_schema=False, name="openapi")
def openapi() -> JSONResponse:
    return JSONResponse(openapi_schema())
