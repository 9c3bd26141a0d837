"""Rendering pages: one Jinja environment (our templates, then govuk-frontend-jinja's
macros under ``govuk_frontend_jinja/``) and ``render``, which gives every page what the
layout needs -- who is signed in, the CSRF token for its forms, the names in the header."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from engine.events import LONDON
from web import csrf
from web.settings import SERVICE_NAME, WebSettings

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(TEMPLATES),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(("html",), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = _day
    env.filters["when"] = _when
    return Jinja2Templates(env=env)


def _day(value: dt.date | None) -> str:
    """3 December 2026 (the Design System's date style)."""
    return f"{value.day} {value:%B %Y}" if value else ""


def _when(value: dt.datetime | None) -> str:
    """3 December 2026 at 9:05am, London time."""
    if value is None:
        return ""
    here = value.astimezone(LONDON)
    return f"{_day(here.date())} at {here:%-I:%M}{here:%p}".replace("AM", "am").replace("PM", "pm")


def render(
    request: Request, template: str, *, title: str, status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` with the layout's context. ``title`` is the page's own title (the
    layout adds the service and authority, and "Error: " when ``errors`` is given)."""
    settings: WebSettings = request.app.state.settings
    templates: Jinja2Templates = request.app.state.templates
    signed_in = getattr(request.state, "signed_in", None)
    token, new_cookie = csrf.token_for(request)
    authority = signed_in.account.la_name if signed_in else settings.authority_name
    context.setdefault("navigation", [])
    response = templates.TemplateResponse(
        request, template, {
            "page_title": title, "service_name": SERVICE_NAME, "authority_name": authority,
            "signed_in": signed_in, "csrf_token": token,
            "path_for": request.app.url_path_for, **context,
        }, status_code=status_code,
    )
    if new_cookie:
        csrf.set_login_cookie(response, settings, token)
    return response
