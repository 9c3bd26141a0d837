"""The optional email to a family when their case reaches a new stage: only where the
authority turns it on, content-free (no case, no child, no date, no link), once per stage,
through the outbox and its delivery."""

from __future__ import annotations

import pytest
from family_fixtures import NOTE, open_cases
from web_helpers import csrf_of

from notifications.settings import NotifySettings
from notifications.transport import InMemoryTransport
from services import cases, family, outbox
from services.errors import InvalidInput
from web.settings import WebSettings

ON = family.FamilyPolicy(stage_emails=frozenset({"E10000028"}))
MAIL = NotifySettings()


@pytest.fixture
def told(web):
    open_cases(web.engine)
    family.create_link(web.engine, "EHC-F-1", la_code="E10000028", actor="alice",
                       now=web.clock(), email="parent@example.org")
    return web


def _queue(web, policy=ON):
    return family.queue_stage_emails(web.engine, now=web.clock(), policy=policy,
                                     mail_domain=MAIL.mail_domain)


def test_a_new_stage_is_one_content_free_email_once(told):
    assert _queue(told) == 0  # nothing has moved since the link was made
    cases.record_events(told.engine, "EHC-F-1", [
        {"type": "decision_to_assess_notified", "date": "2026-11-10", "outcome": "assess"},
    ], recorded_by="alice")
    assert _queue(told, family.FamilyPolicy()) == 0  # the authority has not turned it on
    assert _queue(told) == 1
    assert _queue(told) == 0  # told once per stage
    transport = InMemoryTransport()
    assert outbox.deliver(told.engine, "E10000028", MAIL, transport).sent == 1
    [message] = transport.sent
    assert message["To"] == "parent@example.org"
    body = message.get_body(("plain",)).get_content()
    assert "Open the link your caseworker sent you" in body
    for secret in ("EHC-F-1", NOTE, "2026", "http", "alice"):
        assert secret not in body
        assert secret not in str(message["Subject"])


def test_revoked_links_and_links_without_an_address_are_not_told(told):
    family.create_link(told.engine, "EHC-F-1", la_code="E10000028", actor="alice",
                       now=told.clock())  # no address
    [_, first] = family.list_links(told.engine, "EHC-F-1", la_code="E10000028")
    family.revoke_link(told.engine, "EHC-F-1", first.id, la_code="E10000028", actor="alice",
                       now=told.clock())
    cases.record_events(told.engine, "EHC-F-1", [
        {"type": "decision_to_assess_notified", "date": "2026-11-10", "outcome": "assess"},
    ], recorded_by="alice")
    assert _queue(told) == 0


def test_a_bad_address_is_refused_on_the_form(told):
    with pytest.raises(InvalidInput, match="not an email address"):
        family.create_link(told.engine, "EHC-F-1", la_code="E10000028", actor="alice",
                           now=told.clock(), email="not an address")
    told.settings = WebSettings(secure_cookies=False, family=ON)
    client = told.client()
    told.sign_in(client, "alice")
    page = client.get("/cases/EHC-F-1/family-links")
    assert "Family&#39;s email address (optional)" in page.text
    answer = client.post("/cases/EHC-F-1/family-links",
                         data={"csrf_token": csrf_of(page.text), "email": "nope"})
    assert answer.status_code == 400
    assert "Error: " in answer.text
    assert "is not an email address" in answer.text
