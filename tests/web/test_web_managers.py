"""The managers' pages and every case page and form in the authorisation matrix: role x own
or other authority x action, through the routes, with CSRF on every form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from notify_fixtures import settings_for
from test_web_casework import form_of, signed_in
from web_helpers import csrf_of

from services import cases, outbox, sweep
from services.staff import list_staff


def test_the_team_page_shows_caseload_and_breaches_by_caseworker(cased):
    page = signed_in(cased, "mo").get("/team")
    assert page.status_code == 200
    assert "<h1 class=\"govuk-heading-l\">Team North</h1>" in page.text
    rows = re.findall(r'id="caseworker-(\w+)">.*?numeric">(\d+)</td>.*?numeric">(.*?)</td>',
                      page.text, re.S)
    assert [(user, count) for user, count, _ in rows] == [("alice", "3"), ("bob", "1")]
    assert "1 breached" in rows[0][2]
    assert "carol" not in page.text.split('id="breaches"')[0]  # South is not mo's team


def test_escalations_raised_and_to_whom(cased):
    settings = settings_for(None)
    sweep.sweep_authority(cased.engine, "E10000028", dt.date(2026, 12, 3), settings)
    raised = [e for e in outbox.outbox_status(cased.engine, la_code="E10000028")
              if e.kind == "escalation"]
    assert raised
    assert {"S-LATE", "S-CAROL"} <= {e.reference for e in raised}
    page = signed_in(cased, "mo").get("/team").text.split('id="escalations"')[1]
    assert "S-LATE" in page
    assert "S-CAROL" not in page  # team South's
    south = signed_in(cased, "harriet").get("/team?name=South").text
    assert "S-CAROL" in south.split('id="escalations"')[1]
    assert any(e.recipient_email and e.recipient_email in page for e in raised)
    assert "H-DAVE" not in signed_in(cased, "harriet").get("/service").text


def test_a_team_manager_sees_only_their_team_a_head_of_service_any(cased):
    mo = signed_in(cased, "mo")
    assert mo.get("/team?name=South").status_code == 403
    assert mo.get("/team?name=Central").status_code == 404  # Hartlepool's team
    harriet = signed_in(cased, "harriet")
    south = harriet.get("/team?name=South")
    assert south.status_code == 200
    assert "Team South" in south.text
    assert harriet.get("/team?name=Central").status_code == 404


def test_the_service_page_has_the_figures_and_every_team(cased):
    page = signed_in(cased, "harriet").get("/service")
    assert page.status_code == 200
    assert "Timeliness, 1 January 2026 to 3 December 2026" in page.text
    assert "decisions whether to assess within 6 weeks (R01)".capitalize() in page.text
    assert 'href="/team?name=North"' in page.text
    assert 'href="/team?name=South"' in page.text


def test_reassigning_a_case(cased):
    mo = signed_in(cased, "mo")
    token = csrf_of(mo.get("/cases/S-LATE").text)
    done = mo.post("/cases/S-LATE/reassign", data={"csrf_token": token, "caseworker": "bob"})
    assert done.headers["location"] == "/cases/S-LATE?done=reassigned"
    assert cases.case_view(cased.engine, "S-LATE", as_of=dt.date(2026, 12, 3)).caseworker \
        == "bob"
    empty = mo.post("/cases/S-LATE/reassign", data={"csrf_token": token, "caseworker": ""})
    assert empty.status_code == 400
    assert 'id="caseworker-error"' in empty.text
    dave = mo.post("/cases/S-LATE/reassign", data={"csrf_token": token, "caseworker": "dave"})
    assert dave.status_code == 400  # not one of Staffordshire's caseworkers: not offered


def test_a_leavers_caseload_moves_in_one_action(cased):
    mo = signed_in(cased, "mo")
    token = csrf_of(mo.get("/team").text)
    done = mo.post("/team/leavers", data={"csrf_token": token, "team": "North",
                                          "leaver": "alice", "successor": "carol"})
    assert done.status_code == 303
    assert "moved=3" in done.headers["location"]
    assert "3 cases moved" in mo.get(done.headers["location"]).text
    assert references_of(cased, "carol") == ["S-CAROL", "S-FINE", "S-LATE", "S-SOON"]
    assert next(line for line in list_staff(cased.engine) if line.username == "alice").left
    again = mo.post("/team/leavers", data={"csrf_token": token, "team": "North",
                                           "leaver": "", "successor": ""})
    assert again.status_code == 400
    assert 'id="leaver-error"' in again.text
    assert 'id="successor-error"' in again.text
    other = mo.post("/team/leavers", data={"csrf_token": token, "team": "North",
                                           "leaver": "dave", "successor": "bob"})
    assert other.status_code == 404  # another authority's caseworker does not exist here


def references_of(web, caseworker):
    found = cases.find_cases(web.engine, as_of=dt.date(2026, 12, 3), caseworker=caseworker)
    return sorted(s.case.reference for s in found.cases)


# --- the matrix -------------------------------------------------------------------------------

OWN = {"alice": "S-LATE", "mo": "S-LATE", "harriet": "S-LATE", "root": "S-LATE",
       "dave": "H-DAVE"}
OTHER = {"alice": "H-DAVE", "mo": "H-DAVE", "harriet": "H-DAVE", "root": "H-DAVE",
         "dave": "S-LATE"}
CASE_ACTIONS = {  # action: (method, path, allowed roles)
    "view": ("GET", "/cases/{ref}", {"alice", "mo", "harriet", "dave"}),
    "record form": ("GET", "/cases/{ref}/record?type=child_date_of_birth",
                    {"alice", "mo", "harriet", "dave"}),
    "record": ("POST", "/cases/{ref}/record", {"alice", "mo", "harriet", "dave"}),
    "close form": ("GET", "/cases/{ref}/close", {"alice", "mo", "harriet", "dave"}),
    "close": ("POST", "/cases/{ref}/close", {"alice", "mo", "harriet", "dave"}),
    "reassign": ("POST", "/cases/{ref}/reassign", {"mo", "harriet"}),
}
MATRIX = [(user, action, where) for user in OWN for action in CASE_ACTIONS
          for where in ("own", "other", "guessed")]


def _post_data(client, user, action, ref):
    token = csrf_of(client.get("/").text)
    if action == "record":
        return {"csrf_token": token, "type": "child_date_of_birth", "seq": "1",
                "event_id": "web-matrix", "date-day": "5", "date-month": "5",
                "date-year": "2015"}
    if action == "close":
        return {"csrf_token": token, "reason": "moved_away", "date-day": "3",
                "date-month": "12", "date-year": "2026"}
    return {"csrf_token": token, "caseworker": "dave" if user == "dave" else "bob"}


@pytest.mark.parametrize(("user", "action", "where"), MATRIX)
def test_every_case_page_and_form_in_the_matrix(cased, user, action, where):
    client = signed_in(cased, user)
    ref = {"own": OWN[user], "other": OTHER[user], "guessed": "S-NOPE"}[where]
    method, path, allowed = CASE_ACTIONS[action]
    url = path.format(ref=ref)
    before = cases.case_view(cased.engine, OTHER[user], as_of=dt.date(2026, 12, 3))
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=_post_data(client, user, action, ref))
    if where != "own":
        assert response.status_code == 404
        assert "Page not found" in response.text
        assert ref not in response.text
        after = cases.case_view(cased.engine, OTHER[user], as_of=dt.date(2026, 12, 3))
        assert (after.seq, after.caseworker) == (before.seq, before.caseworker)
    elif user in allowed:
        assert response.status_code in (200, 303)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("user", "team", "service"), [
    ("alice", 403, 403), ("dave", 403, 403), ("root", 403, 403), ("mo", 200, 403),
    ("harriet", 200, 200)])
def test_the_managers_pages_by_role(cased, user, team, service):
    client = signed_in(cased, user)
    assert client.get("/team").status_code == team
    assert client.get("/service").status_code == service
    token = csrf_of(client.get("/").text)
    leaver = client.post("/team/leavers", data={"csrf_token": token, "leaver": "",
                                                "successor": ""})
    assert leaver.status_code == (400 if team == 200 else 403)


def test_an_administrator_has_no_casework(cased):
    client = signed_in(cased, "root")
    assert client.get("/cases").status_code == 403
    assert client.get("/worklist").status_code == 403


@pytest.mark.parametrize("path", ["/cases/S-LATE/record", "/cases/S-LATE/close",
                                  "/cases/S-LATE/reassign", "/team/leavers"])
def test_every_form_needs_its_csrf_token(cased, path):
    client = signed_in(cased, "harriet")
    hidden = form_of(client, "/cases/S-LATE/record?type=child_date_of_birth")
    data = {**hidden, "date-day": "5", "date-month": "5", "date-year": "2015",
            "caseworker": "bob", "reason": "moved_away", "leaver": "bob", "successor": "carol"}
    for token in (None, "forged"):
        sent = {k: v for k, v in data.items() if k != "csrf_token"}
        if token:
            sent["csrf_token"] = token
        response = client.post(path, data=sent)
        assert response.status_code == 403
        assert "This form has expired" in response.text
    view = cases.case_view(cased.engine, "S-LATE", as_of=dt.date(2026, 12, 3))
    assert (view.seq, view.caseworker) == (1, "alice")
