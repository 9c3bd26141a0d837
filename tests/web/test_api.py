"""The JSON API: every endpoint, every authorisation failure, idempotency by client event
id (also 20 at once against a live server), rate limits, problem details, and every
response checked against the committed OpenAPI schema."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
import pytest
from family_fixtures import ELSEWHERE, open_cases
from sqlalchemy import select

from db.schema import AuditEntry, CaseEventRow
from db.session import unit_of_work
from services import api_tokens
from web.settings import WebSettings

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json")
                    .read_text(encoding="utf-8"))
EVENT = {"type": "decision_to_assess_notified", "date": "2026-11-10", "outcome": "assess",
         "id": "hub-42"}


def conforms(answer, path, method="get"):
    """The answer matches what the schema says that operation answers with that status."""
    operation = SCHEMA["paths"][path][method]
    documented = operation["responses"][str(answer.status_code)]
    [(media, content)] = documented["content"].items()
    assert answer.headers["content-type"].startswith(media)
    schema = content.get("schema") or SCHEMA["components"]["schemas"]["Problem"]
    jsonschema.validate(answer.json(), {**schema, "components": SCHEMA["components"]})
    return answer.json()


@pytest.fixture
def api(web):
    open_cases(web.engine)
    tokens = {}
    for name, la, scope in (("hub", "E10000028", "write"), ("reports", "E10000028", "read"),
                            ("north-east", "E06000001", "write")):
        tokens[name] = api_tokens.create_token(web.engine, name, la_code=la, scope=scope,
                                               actor="root", now=web.clock()).token
    return web, tokens


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_the_committed_schema_is_the_served_one(web):
    served = web.client().get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == SCHEMA


def test_recording_one_event_is_idempotent_by_its_client_id(api):
    web, tokens = api
    client, path = web.client(), "/api/cases/{reference}/events"
    first = client.post("/api/cases/EHC-F-1/events", json=EVENT, headers=_auth(tokens["hub"]))
    assert first.status_code == 201
    body = conforms(first, path, "post")
    again = client.post("/api/cases/EHC-F-1/events", json=EVENT, headers=_auth(tokens["hub"]))
    assert again.status_code == 200
    assert conforms(again, path, "post")["events"] == [{**body["events"][0], "new": False}]
    changed = client.post("/api/cases/EHC-F-1/events", json={**EVENT, "date": "2026-11-11"},
                          headers=_auth(tokens["hub"]))
    assert changed.status_code == 422
    assert changed.headers["content-type"] == "application/problem+json"
    assert "already recorded for a different event" in conforms(changed, path, "post")["detail"]
    with unit_of_work(web.engine) as session:
        rows = list(session.scalars(select(CaseEventRow).where(
            CaseEventRow.client_event_id == "hub-42")))
        audit = list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == "events_recorded", AuditEntry.actor == "api:hub")))
    assert len(rows) == 1
    assert rows[0].recorded_by == "api:hub"
    assert len(audit) == 1


def test_a_batch_is_all_or_nothing_and_refusals_name_the_event(api):
    web, tokens = api
    client, path = web.client(), "/api/cases/{reference}/events/batch"
    bad = client.post("/api/cases/EHC-F-1/events/batch", headers=_auth(tokens["hub"]), json={
        "events": [EVENT, {"type": "final_plan_issued", "date": "2026-09-01", "id": "x"}]})
    assert bad.status_code == 422
    assert conforms(bad, path, "post")["index"] == 1
    good = client.post("/api/cases/EHC-F-1/events/batch", headers=_auth(tokens["hub"]),
                       json={"events": [EVENT], "expected_seq": 1})
    assert good.status_code == 201
    assert conforms(good, path, "post")["seq"] == 2
    stale = client.post("/api/cases/EHC-F-1/events/batch", headers=_auth(tokens["hub"]),
                        json={"events": [{"type": "advice_requested", "date": "2026-11-20",
                                               "advisor": "EP", "id": "hub-43"}],
                              "expected_seq": 1})
    assert stale.status_code == 409
    assert conforms(stale, path, "post")["status"] == 409
    malformed = client.post("/api/cases/EHC-F-1/events/batch", headers=_auth(tokens["hub"]),
                            json={"events": []})
    assert malformed.status_code == 422
    assert conforms(malformed, path, "post")["field"]


def test_reading_a_case_its_due_deadlines_and_the_figures(api):
    web, tokens = api
    client, auth = web.client(), _auth(tokens["reports"])
    case = conforms(client.get("/api/cases/EHC-F-1", headers=auth), "/api/cases/{reference}")
    assert case["stage"] == "requested"
    decision = next(d for d in case["deadlines"] if d["key"] == "decision_to_assess_due")
    assert decision["due"] == "2026-11-16"
    assert decision["status"] == "breached"
    due = conforms(client.get("/api/deadlines?overdue_only=true", headers=auth),
                   "/api/deadlines")
    assert due["overdue"] >= 1
    assert {item["reference"] for item in due["items"]} <= {"EHC-F-1", "EHC-F-2"}
    figures = conforms(client.get("/api/timeliness?start=2026-01-01&end=2026-12-31",
                                  headers=auth), "/api/timeliness")
    assert {f["measure"] for f in figures["figures"]} >= {"decision_6_weeks"}
    backwards = client.get("/api/timeliness?start=2026-12-31&end=2026-01-01", headers=auth)
    assert backwards.status_code == 422
    assert conforms(backwards, "/api/timeliness")


def test_every_authorisation_failure(api):
    web, tokens = api
    client = web.client()
    cases = ("/api/cases/EHC-F-1", "/api/cases/{reference}")
    missing = client.get(cases[0])
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    conforms(missing, cases[1])
    assert client.get(cases[0], headers=_auth("guess")).status_code == 401
    other = client.get(cases[0], headers=_auth(tokens["north-east"]))
    assert other.status_code == 404
    assert conforms(other, cases[1])["detail"] == \
        "unknown case 'EHC-F-1'"
    assert client.get(f"/api/cases/{ELSEWHERE}", headers=_auth(tokens["hub"])).status_code \
        == 404
    read_only = client.post("/api/cases/EHC-F-1/events", json=EVENT,
                            headers=_auth(tokens["reports"]))
    assert read_only.status_code == 403
    assert "read-only" in conforms(read_only, "/api/cases/{reference}/events", "post")["detail"]
    [hub] = [i for i in api_tokens.list_tokens(web.engine) if i.client.name == "hub"]
    api_tokens.revoke_token(web.engine, hub.client.token_id, actor="root", now=web.clock())
    revoked = client.post("/api/cases/EHC-F-1/events", json=EVENT, headers=_auth(tokens["hub"]))
    assert revoked.status_code == 401
    with unit_of_work(web.engine) as session:
        assert not list(session.scalars(select(CaseEventRow).where(
            CaseEventRow.client_event_id == "hub-42")))


def test_each_token_is_rate_limited(api):
    web, tokens = api
    web.settings = WebSettings(secure_cookies=False, api_calls_per_minute=3)
    client, auth = web.client(), _auth(tokens["reports"])
    assert [client.get("/api/cases/EHC-F-1", headers=auth).status_code
            for _ in range(3)] == [200] * 3
    limited = client.get("/api/cases/EHC-F-1", headers=auth)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    conforms(limited, "/api/cases/{reference}")
    other = client.get("/api/cases/EHC-F-1", headers=_auth(tokens["hub"]))
    assert other.status_code == 200  # the limit is per token
    web.clock.advance(seconds=61)
    assert client.get("/api/cases/EHC-F-1", headers=auth).status_code == 200


def test_twenty_concurrent_retries_of_one_event_record_it_once(live_app):
    open_cases(live_app.engine)
    token = api_tokens.create_token(live_app.engine, "hub", la_code="E10000028",
                                    scope="write", actor="root",
                                    now=api_tokens.dt.datetime.now(api_tokens.dt.UTC)).token
    statuses, barrier = [], threading.Barrier(20)

    def post():
        request = urllib.request.Request(
            live_app.url("/api/cases/EHC-F-1/events"), data=json.dumps(EVENT).encode(),
            headers={**_auth(token), "Content-Type": "application/json"}, method="POST")
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                statuses.append((answer.status, json.loads(answer.read())))
        except urllib.error.HTTPError as exc:
            statuses.append((exc.code, json.loads(exc.read())))

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(code for code, _ in statuses)
    assert codes == [200] * 19 + [201], statuses
    assert {body["events"][0]["seq"] for _, body in statuses} == {2}
    with unit_of_work(live_app.engine) as session:
        rows = list(session.scalars(select(CaseEventRow).where(
            CaseEventRow.client_event_id == "hub-42")))
    assert len(rows) == 1
