"""Authorisation: every role x own / other authority x action, in the application layer and
through routes (the dependency and the helper the case pages use)."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, Request
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from services import accounts
from services.access import Action, allows, authorise
from services.accounts import SignedIn
from services.errors import Forbidden, NotFound
from web.app import create_app
from web.auth import CurrentUser, allowed

STAFFS, HARTLEPOOL = "E10000028", "E06000001"
# Written out by hand (not derived from PERMISSIONS): what each role may do at home.
MAY = {
    "alice": {Action.VIEW_CASE, Action.RECORD_EVENT},
    "mo": {Action.VIEW_CASE, Action.RECORD_EVENT, Action.VIEW_TEAM, Action.REASSIGN_CASE},
    "harriet": {Action.VIEW_CASE, Action.RECORD_EVENT, Action.VIEW_TEAM,
                Action.REASSIGN_CASE, Action.VIEW_SERVICE},
    "root": {Action.MANAGE_USERS},
}
MATRIX = [(user, action, where) for user in MAY for action in Action
          for where in ("own", "other")]


def account(username, role, la_code=STAFFS, *, active=True):
    return accounts.Account(id=1, username=username, la_code=la_code, la_name=la_code,
                            role=accounts.Role(role), caseworker=None, team=None,
                            active=active)


ROLES = {"alice": "caseworker", "mo": "team_manager", "harriet": "head_of_service",
         "root": "administrator"}


@pytest.fixture
def staff_accounts():
    """The application layer's view of each user (no database needed to authorise)."""
    found = {name: account(name, role) for name, role in ROLES.items()}
    found["dave"] = account("dave", "caseworker", HARTLEPOOL)
    return found


@pytest.mark.parametrize(("username", "action", "where"), MATRIX)
def test_authorise(staff_accounts, username, action, where):
    account = staff_accounts[username]
    la_code = STAFFS if where == "own" else HARTLEPOOL
    if where == "other":
        with pytest.raises(NotFound) as refused:
            authorise(account, action, la_code=la_code, not_found="unknown case 'H-1'")
        assert str(refused.value) == "unknown case 'H-1'"  # as if it did not exist
    elif action in MAY[username]:
        authorise(account, action, la_code=la_code, not_found="unknown case 'S-1'")
        assert allows(account, action)
    else:
        with pytest.raises(Forbidden, match="your role"):
            authorise(account, action, la_code=la_code, not_found="unknown case 'S-1'")
        assert not allows(account, action)


def test_hartlepool_is_the_other_authority_for_its_own_caseworker_the_other_way_round(
    staff_accounts,
):
    dave = staff_accounts["dave"]
    authorise(dave, Action.VIEW_CASE, la_code=HARTLEPOOL, not_found="x")
    with pytest.raises(NotFound):
        authorise(dave, Action.VIEW_CASE, la_code=STAFFS, not_found="x")


def test_a_deactivated_account_may_do_nothing(web):
    accounts.deactivate(web.engine, "mo", actor="root", now=web.clock.now)
    mo = accounts.get_account(web.engine, "mo")
    assert not mo.active
    assert not allows(mo, Action.VIEW_CASE)
    with pytest.raises(NotFound):
        authorise(mo, Action.VIEW_CASE, la_code=STAFFS, not_found="x")


# --- the same through routes ---------------------------------------------------------------

THINGS = {"S-1": STAFFS, "H-1": HARTLEPOOL}


def app_with_pages(web):
    router = APIRouter()

    def find(user, ref, action):
        if ref not in THINGS:
            raise NotFound(f"unknown thing {ref!r}")
        authorise(user.account, action, la_code=THINGS[ref], not_found=f"unknown thing {ref!r}")

    @router.get("/things/{ref}")
    def thing(request: Request, ref: str, user: CurrentUser) -> PlainTextResponse:
        find(user, ref, Action.VIEW_CASE)
        return PlainTextResponse(f"thing {ref}")

    @router.post("/things/{ref}/reassign")
    def reassign(request: Request, ref: str, user: CurrentUser) -> PlainTextResponse:
        find(user, ref, Action.REASSIGN_CASE)
        return PlainTextResponse("reassigned")

    @router.get("/team-page")
    def team(user: Annotated[SignedIn, Depends(allowed(Action.VIEW_TEAM))]) -> PlainTextResponse:
        return PlainTextResponse(f"team of {user.account.username}")

    app = create_app(web.engine, web.settings, clock=web.clock)
    app.app.include_router(router)
    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def signed_in_client(web, username):
    from web_helpers import csrf_of

    client = app_with_pages(web)
    web.sign_in(client, username)
    return client, csrf_of(client.get("/").text)


@pytest.mark.parametrize("username", ["alice", "mo", "harriet", "root"])
def test_routes_show_only_their_own_authoritys_things(web, username):
    client, _ = signed_in_client(web, username)
    own, other, unknown = (client.get(f"/things/{ref}") for ref in ("S-1", "H-1", "Z-9"))
    if Action.VIEW_CASE in MAY[username]:
        assert (own.status_code, own.text) == (200, "thing S-1")
    else:
        assert own.status_code == 403
        assert "cannot see cases" in own.text
    assert other.status_code == unknown.status_code == 404
    # the other authority's page is the unknown one's, word for word (bar the token)
    strip = lambda html: html.split('name="csrf_token"')[0]  # noqa: E731
    assert strip(other.text) == strip(unknown.text)


@pytest.mark.parametrize("username", ["alice", "mo", "harriet", "root"])
def test_form_posts_are_scoped_the_same_way(web, username):
    client, token = signed_in_client(web, username)
    own = client.post("/things/S-1/reassign", data={"csrf_token": token})
    other = client.post("/things/H-1/reassign", data={"csrf_token": token})
    assert own.status_code == (200 if Action.REASSIGN_CASE in MAY[username] else 403)
    assert other.status_code == 404


@pytest.mark.parametrize("username", ["alice", "mo", "harriet", "root"])
def test_the_role_dependency(web, username):
    client, _ = signed_in_client(web, username)
    response = client.get("/team-page")
    if Action.VIEW_TEAM in MAY[username]:
        assert (response.status_code, response.text) == (200, f"team of {username}")
    else:
        assert response.status_code == 403
        assert "You cannot do this" in response.text


def test_the_dependencies_send_strangers_to_log_in(web):
    client = app_with_pages(web)
    for path in ("/things/S-1", "/team-page"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
