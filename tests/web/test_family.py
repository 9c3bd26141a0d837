"""The family page: a link that works, expires, is revoked or is guessed; what the page
must never show; the caseworker's page that makes and revokes links."""

from __future__ import annotations

import re
import secrets
import statistics
import time

import pytest
from family_fixtures import ELSEWHERE, NOTE, OTHER, open_cases
from sqlalchemy import select
from web_helpers import START, csrf_of

from db.schema import AuditEntry
from db.session import unit_of_work
from services import family
from services.errors import NotFound


@pytest.fixture
def case(web):
    return open_cases(web.engine)


def _link(web, reference="EHC-F-1", days=28):
    issued = family.create_link(web.engine, reference, la_code="E10000028", actor="alice",
                                now=web.clock(), days=days)
    return issued.token


def _audit(engine, action):
    with unit_of_work(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_valid_link_shows_the_stages_dates_and_rights_in_plain_english(web, case):
    token = _link(web)
    assert len(token) >= 22  # at least 128 bits, url-safe base64
    page = web.client().get(f"/family/{token}")
    assert page.status_code == 200
    text = page.text
    assert "The council receives the request for an assessment" in text
    assert "Monday 5 October 2026" in text  # what happened, with its day's name
    assert "Request received" in text
    # The 6-week decision: 16 November 2026, a Monday, in the council's dates.
    assert "Decision to assess: Monday 16 November 2026" in text
    assert "The council must tell you whether it will assess" in text  # engine.plain
    assert "Date missed" in text  # judged on 3 December 2026, nothing decided
    assert "If the council misses a date" in text
    assert "Ombudsman" in text
    [used] = _audit(web.engine, "family_link_used")
    assert used.actor.startswith("family link ")
    assert used.detail["address"] == "testclient"


def test_the_page_shows_no_notes_no_staff_and_no_other_case(web, case):
    page = web.client().get(f"/family/{_link(web)}").text
    for secret in (NOTE, "other case note", OTHER, ELSEWHERE, "alice", "Alice", "bob",
                   "Harriet", "recorded_by", "Mo Manager"):
        assert secret not in page, secret


def test_staff_names_appear_only_where_the_authority_allows(web, case):
    token = _link(web)
    web.settings = web.settings.__class__(
        secure_cookies=False, family=family.FamilyPolicy(
            show_staff_names=True, complaints="Write to complaints@staffs.example.",
            complaints_url="https://staffs.example/complaints"))
    page = web.client().get(f"/family/{token}").text
    assert "Your caseworker is Alice." in page
    assert "Write to complaints@staffs.example." in page
    assert 'href="https://staffs.example/complaints"' in page


def test_expired_revoked_and_guessed_links_are_the_same_404(web, case):
    client = web.client()
    expired, revoked = _link(web, days=1), _link(web)
    [live_revoked] = [link for link in family.list_links(web.engine, "EHC-F-1",
                                                          la_code="E10000028")
                      if link.expires_at > START + family.dt.timedelta(days=2)]
    family.revoke_link(web.engine, "EHC-F-1", live_revoked.id, la_code="E10000028",
                       actor="alice", now=web.clock())
    web.clock.advance(days=1)
    answers = [client.get(f"/family/{token}") for token in
               (expired, revoked, secrets.token_urlsafe(32), "x", "%2e%2e")]
    assert [a.status_code for a in answers] == [404] * 5
    bodies = {re.sub(r'value="[^"]+"', "", a.text) for a in answers}
    assert len(bodies) == 1
    assert family.GONE in bodies.pop()
    reasons = sorted(e.detail["reason"] for e in _audit(web.engine, "family_link_refused"))
    assert reasons == ["expired", "revoked"]


def test_a_guess_costs_the_same_whether_or_not_it_looks_like_a_real_token(web, case):
    _link(web)

    def lookup_ms(token):
        began = time.perf_counter()
        with pytest.raises(NotFound):
            family.family_view(web.engine, token, now=web.clock(), as_of=START.date(),
                               address="t", policy=family.FamilyPolicy())
        return (time.perf_counter() - began) * 1000

    # Interleaved, so a busy machine slows both kinds alike; compared loosely.
    well_formed, random_junk = [], []
    for _ in range(200):
        well_formed.append(lookup_ms(secrets.token_urlsafe(32)))
        random_junk.append(lookup_ms(secrets.token_hex(secrets.randbelow(40) + 1)))
    a, b = statistics.median(well_formed), statistics.median(random_junk)
    assert abs(a - b) < max(3.0, 0.5 * min(a, b)), (a, b)


def test_the_caseworker_makes_lists_and_revokes_links(web, case):
    client = web.client()
    web.sign_in(client, "alice")
    listing = client.get("/cases/EHC-F-1/family-links")
    assert listing.status_code == 200
    assert "Make a new family link" in listing.text
    made = client.post("/cases/EHC-F-1/family-links",
                       data={"csrf_token": csrf_of(listing.text)})
    assert made.status_code == 201
    url = re.search(r'id="new-link">([^<]+)<', made.text)[1]
    path = url.removeprefix("http://127.0.0.1")
    assert web.client().get(path).status_code == 200
    [link] = family.list_links(web.engine, "EHC-F-1", la_code="E10000028")
    revoked = client.post(f"/cases/EHC-F-1/family-links/{link.id}/revoke",
                          data={"csrf_token": csrf_of(made.text)})
    assert revoked.status_code == 303
    assert web.client().get(path).status_code == 404
    assert "Revoked by alice" in client.get("/cases/EHC-F-1/family-links").text
    assert len(_audit(web.engine, "family_link_created")) == 1
    assert len(_audit(web.engine, "family_link_revoked")) == 1


def test_another_authoritys_case_has_no_links_page_and_forms_need_csrf(web, case):
    client = web.client()
    web.sign_in(client, "dave")
    assert client.get("/cases/EHC-F-1/family-links").status_code == 404
    page = client.get("/")
    assert client.post("/cases/EHC-F-1/family-links",
                       data={"csrf_token": csrf_of(page.text)}).status_code == 404
    assert client.post("/cases/EHC-F-1/family-links", data={}).status_code == 403
    assert family.list_links(web.engine, "EHC-F-1", la_code="E10000028") == ()
