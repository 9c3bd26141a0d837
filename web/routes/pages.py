"""The signed-in home page and the pages anyone may read (the accessibility statement)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.access import Action, allows
from web.auth import CurrentUser
from web.routes.cases import navigation
from web.settings import WebSettings
from web.templating import render

router = APIRouter()

# Where each role's work is; the case pages fill these in.
WORK_LINKS = (
    (Action.VIEW_CASE, "/cases", "My cases, by their next statutory deadline"),
    (Action.VIEW_CASE, "/worklist", "Today's worklist: what is overdue or due soon"),
    (Action.VIEW_TEAM, "/team", "My team's caseload, breaches and escalations"),
    (Action.VIEW_SERVICE, "/service", "The service: timeliness figures, teams, escalations"),
    (Action.MANAGE_USERS, "/users", "User accounts"),
)


@router.get("/", name="home")
def home(request: Request, user: CurrentUser) -> Response:
    settings: WebSettings = request.app.state.settings
    links = [{"href": href, "text": text} for action, href, text in WORK_LINKS
             if allows(user.account, action)]
    return render(
        request, "pages/home.html", title="Home", links=links,
        role_name=user.account.role.value.replace("_", " "),
        idle_minutes=int(settings.policy.idle.total_seconds() // 60),
        navigation=navigation(request, user.account, "home"),
    )


@router.get("/accessibility", name="accessibility")
def accessibility(request: Request) -> Response:
    return render(request, "pages/accessibility.html", title="Accessibility statement")
