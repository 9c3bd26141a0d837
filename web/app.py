"""The application factory: ``create_app()`` is what ``ehc serve`` (uvicorn) runs.

Layers, outermost first: ``Hardening`` (security headers on every response), the 500
page for anything unexpected, the session lookup (``request.state.signed_in``), then FastAPI
with the CSRF check as an application-wide dependency and every error as a page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from starlette.staticfiles import StaticFiles

from services.bootstrap import TimeSource, start, utc_now
from web import csrf, errors, settings
from web.api import routes as api
from web.auth import look_up_session
from web.routes import cases, family, feeds, pages, session, team, worklist
from web.security import Hardening, catch_unexpected
from web.templating import make_templates

STATIC = Path(__file__).resolve().parent / "static"
BUILT = ("build/app.css", "build/govuk-frontend.min.js")


class AssetsMissing(RuntimeError):
    pass


def missing_assets() -> list[str]:
    """The built files ``scripts/setup`` makes that are not there."""
    return [name for name in BUILT if not (STATIC / name).is_file()]


def create_app(
    engine: Engine | None = None,
    web_settings: settings.WebSettings | None = None,
    clock: TimeSource = utc_now,
) -> Hardening:
    """The web application on ``engine`` (default: the configured database).

    Args:
        engine: the database.
        web_settings: default ``web.settings.load()`` (the environment).
        clock: the instant now, as aware UTC (tests move it to expire sessions).
    """
    missing = missing_assets()
    if missing:
        raise AssetsMissing(
            f"the web assets are not built ({', '.join(missing)} missing): run scripts/setup"
        )
    chosen = web_settings or settings.load()
    app = FastAPI(
        title="EHC timescales", docs_url=None, redoc_url=None, openapi_url=None,
        dependencies=[Depends(csrf.verify)],
    )
    app.state.engine = engine or start().engine
    app.state.settings = chosen
    app.state.clock = clock
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(session.router)
    app.include_router(pages.router)
    app.include_router(cases.router)
    app.include_router(worklist.router)
    app.include_router(team.router)
    app.include_router(family.router)
    app.include_router(feeds.router)
    app.include_router(api.router)
    app.include_router(api.schema_router)
    errors.install(app)
    app.middleware("http")(look_up_session)
    app.middleware("http")(catch_unexpected(errors.failure_page))  # added last: outermost
    return Hardening(app, hsts=chosen.secure_cookies)
