"""The family's page, ``/family/<token>`` (no sign-in: the link is the key), and the
caseworker's page that makes, lists and revokes those links,
``/cases/<reference>/family-links``.

An unknown, expired or revoked link is the same 404 with the same words, so a guess
learns nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from engine.periods import day_name
from services import family
from services.access import Action
from services.accounts import SignedIn
from services.errors import InvalidInput, NotFound
from web.auth import allowed, client_address
from web.days import today
from web.errors import error_page
from web.forms import FormErrors
from web.settings import WebSettings
from web.templating import render

router = APIRouter()
Caseworker = Annotated[SignedIn, Depends(allowed(Action.RECORD_EVENT))]


@router.get("/family/{token}", name="family")
def family_page(request: Request, token: str) -> Response:
    settings: WebSettings = request.app.state.settings
    try:
        view = family.family_view(
            request.app.state.engine, token, now=request.app.state.clock(),
            as_of=today(request), address=client_address(request),
            policy=settings.family)
    except NotFound:
        return error_page(request, 404, family.GONE)
    return render(request, "pages/family.html", title="Your child's EHC needs assessment"
                  if view.process == "assessment" else "Your child's EHC plan review",
                  view=view, day_name=day_name, authority_name=view.la_name,
                  extra_css="family.css")


@router.get("/cases/{reference}/family-links", name="family_links")
def links_page(request: Request, reference: str, user: Caseworker) -> Response:
    return _links(request, reference, user)


@router.post("/cases/{reference}/family-links", name="family_link_create")
def create(
    request: Request, reference: str, user: Caseworker, email: Annotated[str, Form()] = "",
) -> Response:
    settings: WebSettings = request.app.state.settings
    try:
        issued = family.create_link(
            request.app.state.engine, reference, la_code=user.account.la_code,
            actor=user.account.username, now=request.app.state.clock(),
            days=settings.family.link_days, email=email.strip() or None)
    except InvalidInput as exc:
        return _links(request, reference, user, status=400, email=email,
                      errors=FormErrors({"email": exc.message}))
    url = str(request.base_url).rstrip("/") + request.app.url_path_for("family",
                                                                       token=issued.token)
    return _links(request, reference, user, new_url=url, status=201)


@router.post("/cases/{reference}/family-links/{link_id}/revoke", name="family_link_revoke")
def revoke(
    request: Request, reference: str, link_id: int, user: Caseworker,
) -> Response:
    family.revoke_link(request.app.state.engine, reference, link_id,
                       la_code=user.account.la_code, actor=user.account.username,
                       now=request.app.state.clock())
    return RedirectResponse(request.app.url_path_for("family_links", reference=reference),
                            status_code=303)


def _links(
    request: Request, reference: str, user: SignedIn, *, new_url: str | None = None,
    status: int = 200, email: str = "", errors: FormErrors | None = None,
) -> Response:
    settings: WebSettings = request.app.state.settings
    found = family.list_links(request.app.state.engine, reference,
                              la_code=user.account.la_code)
    return render(request, "pages/family_links.html", title=f"Family links for {reference}",
                  status_code=status, reference=reference, links=found, new_url=new_url,
                  now=request.app.state.clock(), day_name=day_name, email=email,
                  errors=errors, stage_emails=user.account.la_code in settings.family.stage_emails)
