"""The morning worklist (``/worklist``): what is overdue or due soon today, for the
caseworker's own cases, a team manager's team or a head of service's whole authority."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services import worklist as work
from services.access import Action, authorise
from web.auth import CurrentUser
from web.days import today
from web.routes.cases import navigation, scope
from web.templating import render
from web.urgency import urgency

router = APIRouter()


@router.get("/worklist", name="worklist")
def worklist(request: Request, user: CurrentUser, overdue: str = "") -> Response:
    account = user.account
    authorise(account, Action.VIEW_CASE, la_code=account.la_code, not_found="not found")
    caseworker, team = scope(account)
    found = work.worklist(request.app.state.engine, as_of=today(request),
                          overdue_only=overdue == "yes", la_code=account.la_code,
                          caseworker=caseworker, team=team)
    return render(
        request, "pages/worklist.html", title="Worklist", column="full", worklist=found,
        items=[(item, urgency(item.status, item.days_late)) for item in found.items],
        overdue_only=overdue == "yes", navigation=navigation(request, account, "worklist"),
    )
