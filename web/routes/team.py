"""The managers' pages: a team's caseload, breaches and escalations (``/team``), the whole
service with its timeliness figures (``/service``), and a leaver's caseload moved in one
action (``/team/leavers``).

A team manager sees their own team; a head of service any team of their authority
(``/team?name=...``) and the service as a whole. Another authority's team is not found.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from services import caseload as loads
from services import outbox, staff, timeliness
from services.access import Action
from services.accounts import Account, Role, SignedIn
from services.errors import Forbidden, NotFound, ServiceError
from web.auth import allowed
from web.days import today
from web.forms import FormErrors
from web.routes.cases import colleagues, navigation
from web.templating import render
from web.urgency import urgency

router = APIRouter()

Manager = Annotated[SignedIn, Depends(allowed(Action.VIEW_TEAM))]
Head = Annotated[SignedIn, Depends(allowed(Action.VIEW_SERVICE))]
ESCALATIONS_SHOWN = 50


def team_names(request: Request, account: Account) -> list[str]:
    return sorted({line.team for line in staff.list_staff(request.app.state.engine)
                   if line.la_code == account.la_code and line.team})


def chosen_team(request: Request, account: Account, name: str) -> str:
    """The team a manager's page is about: a team manager's own; a head of service's
    choice (default the first)."""
    teams = team_names(request, account)
    if account.role is Role.TEAM_MANAGER:
        if name and name != account.team:
            if name not in teams:
                raise NotFound(f"unknown team {name!r}")
            raise Forbidden("a team manager sees their own team only")
        return account.team or ""
    if name and name not in teams:
        raise NotFound(f"unknown team {name!r}")
    return name or (teams[0] if teams else "")


@router.get("/team", name="team")
def team_page(request: Request, user: Manager, name: str = "", moved: str = "") -> Response:
    return _team(request, user.account, chosen_team(request, user.account, name),
                 done=f"{moved} case{'' if moved == '1' else 's'} moved" if moved else None)


def _team(
    request: Request, account: Account, team: str, *, done: str | None = None,
    typed: dict[str, str] | None = None, errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    engine = request.app.state.engine
    found = loads.caseload(engine, la_code=account.la_code, as_of=today(request), team=team)
    told = outbox.outbox_status(engine, la_code=account.la_code, team=team,
                                limit=ESCALATIONS_SHOWN)
    members = [(c.username, c.name) for c in found.caseworkers if not c.left]
    return render(
        request, "pages/team.html", title=f"Team {team}", column="full", team=team,
        caseload=found, breaches=[(item, urgency(item.status, item.days_late))
                                  for item in found.breaches],
        escalations=[e for e in told if e.kind == "escalation"],
        teams=team_names(request, account) if account.role is Role.HEAD_OF_SERVICE else [],
        members=members, successors=colleagues(request, account), done=done,
        typed=typed or {}, errors=errors or FormErrors(), status_code=status_code,
        navigation=navigation(request, account, "team"),
    )


@router.post("/team/leavers", name="leavers")
async def leaver(request: Request, user: Manager) -> Response:
    form = await request.form()
    typed = {key: str(form.get(key, "")) for key in ("team", "leaver", "successor")}
    return await run_in_threadpool(_leaver, request, user.account, typed)


def _leaver(request: Request, account: Account, typed: dict[str, str]) -> Response:
    team = chosen_team(request, account, typed["team"])
    found = loads.caseload(request.app.state.engine, la_code=account.la_code,
                           as_of=today(request), team=team)
    members = {c.username for c in found.caseworkers if not c.left}
    working = dict(colleagues(request, account))
    if typed["leaver"] and typed["leaver"] not in members and typed["leaver"] not in working:
        raise NotFound(f"unknown caseworker {typed['leaver']!r}")  # not of this authority
    if typed["successor"] and typed["successor"] not in working:
        raise NotFound(f"unknown caseworker {typed['successor']!r}")
    problems = {}
    if typed["leaver"] not in members:
        problems["leaver"] = "Select who is leaving from your team"
    if not typed["successor"]:
        problems["successor"] = "Select who takes over their cases"
    elif typed["successor"] == typed["leaver"]:
        problems["successor"] = "Select someone other than the leaver"
    if problems:
        return _team(request, account, team, typed=typed, errors=FormErrors(problems),
                     status_code=400)
    try:
        left = staff.caseworker_leaves(request.app.state.engine, typed["leaver"],
                                       typed["successor"], actor=account.username)
    except ServiceError as exc:
        return _team(request, account, team, typed=typed, status_code=422,
                     errors=FormErrors({"leaver": exc.message[:1].upper() + exc.message[1:]}))
    query = urlencode({"name": team, "moved": len(left.moved)})
    return RedirectResponse(f"/team?{query}", status_code=303)


@router.get("/service", name="service")
def service_page(request: Request, user: Head, year: int | None = None) -> Response:
    account = user.account
    engine = request.app.state.engine
    as_of = today(request)
    chosen = year or as_of.year
    if not 2000 <= chosen <= as_of.year:
        raise NotFound(f"no figures for {chosen}")
    start, end = dt.date(chosen, 1, 1), min(dt.date(chosen, 12, 31), as_of)
    figures = timeliness.figures(engine, start=start, end=end, as_of=as_of,
                                 la_code=account.la_code)
    found = loads.caseload(engine, la_code=account.la_code, as_of=as_of)
    by_team: dict[str, dict[str, Any]] = {}
    for load in found.caseworkers:
        row = by_team.setdefault(load.team, {"cases": 0, "breached": 0, "due_soon": 0})
        for key in row:
            row[key] += getattr(load, key)
    told = outbox.outbox_status(engine, la_code=account.la_code, limit=ESCALATIONS_SHOWN)
    return render(
        request, "pages/service.html", title="The service", column="full", caseload=found,
        by_team=sorted(by_team.items()), start=start, end=end,
        figures=[(timeliness.LABELS.get(key, key), figure)
                 for key, figure in figures.items()],
        escalations=[e for e in told if e.kind == "escalation"],
        navigation=navigation(request, account, "service"),
    )
