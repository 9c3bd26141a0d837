"""Signing in and out: ``/login`` (the form, and its post), ``/logout``, ``/signed-out``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from services import accounts, errors
from services.bootstrap import TimeSource
from web.auth import CurrentUser, client_address, safe_next
from web.forms import FormErrors
from web.settings import WebSettings
from web.templating import render

router = APIRouter()

EXPIRED = "You were signed out because you had not used the service for a while. Sign in again."


@router.get("/login", name="login")
def login_form(request: Request, next: str = "/", expired: str = "") -> Response:  # noqa: A002
    if request.state.signed_in is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next=safe_next(next), notice=EXPIRED if expired else None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "/")))
    missing = {field: text for field, text, value in (
        ("username", "Enter your username", username),
        ("password", "Enter your password", password),
    ) if not value}
    if missing:
        return _form(request, next=next_path, username=username, status=400,
                     errors=FormErrors(missing))
    settings: WebSettings = request.app.state.settings
    engine = request.app.state.engine
    clock: TimeSource = request.app.state.clock
    address = client_address(request)
    try:
        account = await run_in_threadpool(
            accounts.authenticate, engine, username, password, address=address, now=clock(),
            policy=settings.policy)
        started = await run_in_threadpool(
            accounts.start_session, engine, account, address=address, now=clock(),
            policy=settings.policy, replacing=request.state.session_token)
    except accounts.TooManyAttempts as exc:
        return _form(request, next=next_path, username=username, status=429,
                     errors=FormErrors({"username": exc.message}))
    except errors.Refused as exc:
        return _form(request, next=next_path, username=username, status=401,
                     errors=FormErrors({"username": exc.message}))
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        settings.session_cookie, started.token, path="/", httponly=True, samesite="lax",
        secure=settings.secure_cookies,
    )  # no max_age: a browser-session cookie; the server enforces idle and absolute expiry
    response.delete_cookie(settings.login_csrf_cookie, path="/", httponly=True,
                           samesite="lax", secure=settings.secure_cookies)
    return response


@router.post("/logout", name="logout")
async def logout(request: Request, user: CurrentUser) -> Response:
    settings: WebSettings = request.app.state.settings
    clock: TimeSource = request.app.state.clock
    await run_in_threadpool(
        accounts.end_session, request.app.state.engine, request.state.session_token,
        address=client_address(request), now=clock())
    response = RedirectResponse(request.app.url_path_for("signed_out"), status_code=303)
    response.delete_cookie(settings.session_cookie, path="/", httponly=True, samesite="lax",
                           secure=settings.secure_cookies)
    return response


@router.get("/signed-out", name="signed_out")
def signed_out(request: Request) -> Response:
    return render(request, "pages/signed_out.html", title="You have signed out")


def _form(
    request: Request, *, next: str, username: str = "", status: int = 200,  # noqa: A002
    errors: FormErrors | None = None, notice: str | None = None,
) -> Response:
    return render(request, "pages/login.html", title="Sign in", status_code=status,
                  next=next, username=username, errors=errors or FormErrors(), notice=notice)
