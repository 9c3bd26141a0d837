"""The caseworker's pages through the routes, on both backends: the caseload by urgency with
its filters and paging, the case page, recording (invalid input kept, refusals, a concurrent
change, a double submit), corrections, closing, and the worklist."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from web_helpers import csrf_of

from services import cases
from web.routes import cases as case_routes


def signed_in(web, username="alice"):
    client = web.client()
    web.sign_in(client, username)
    return client


def references(html: str) -> list[str]:
    return re.findall(r'<td class="govuk-table__cell"><a class="govuk-link" href="/cases/'
                      r'([^"#?]+)', html)


def hidden_fields(html: str) -> dict[str, str]:
    """A page's hidden form fields (CSRF token, seq, event id, type...)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def form_of(client, path: str) -> dict[str, str]:
    return hidden_fields(client.get(path).text)


def record(client, reference: str, kind: str, day: str, **fields: str):
    hidden = form_of(client, f"/cases/{reference}/record?type={kind}")
    year, month, date = day.split("-")
    return client.post(f"/cases/{reference}/record", data={
        **hidden, "date-day": date, "date-month": month, "date-year": year, **fields})


def test_my_cases_are_mine_soonest_deadline_first_with_the_status_in_words(cased):
    page = signed_in(cased).get("/cases")
    assert page.status_code == 200
    assert references(page.text) == ["S-LATE", "S-SOON", "S-FINE"]  # not bob's, not dave's
    assert re.findall(r'data-rag="(\w+)"', page.text) == ["red", "amber", "green"]
    assert "Overdue by 21 days" in page.text
    assert "Due soon" in page.text
    assert "On track" in page.text
    assert 'href="/cases/S-LATE#decision_to_assess_due"' in page.text


def test_a_team_manager_sees_the_team_and_a_head_of_service_the_authority(cased):
    assert references(signed_in(cased, "mo").get("/cases").text) == [
        "S-LATE", "S-SOON", "S-BOB", "S-FINE"]
    assert references(signed_in(cased, "harriet").get("/cases").text) == [
        "S-LATE", "S-SOON", "S-BOB", "S-CAROL", "S-FINE"]


def test_filter_by_reference_stage_and_due_date(cased):
    client = signed_in(cased)
    assert references(client.get("/cases?q=soon").text) == ["S-SOON"]
    assert references(client.get("/cases?due_by=2026-12-10").text) == ["S-LATE", "S-SOON"]
    assert references(client.get("/cases?stage=requested").text) == [
        "S-LATE", "S-SOON", "S-FINE"]
    assert references(client.get("/cases?stage=plan_issued").text) == []
    bad = client.get("/cases?due_by=31/12/2026")
    assert bad.status_code == 400
    assert "<title>Error: My cases" in bad.text
    assert 'href="#due_by"' in bad.text
    assert 'id="due_by-error"' in bad.text
    assert 'value="31/12/2026"' in bad.text  # what was typed stays


def test_the_caseload_comes_in_pages(cased, monkeypatch):
    monkeypatch.setattr(case_routes, "PAGE_SIZE", 2)
    client = signed_in(cased)
    first = client.get("/cases")
    assert references(first.text) == ["S-LATE", "S-SOON"]
    assert "3 cases, page 1 of 2" in first.text
    assert 'href="/cases?page=2"' in first.text
    assert references(client.get("/cases?page=2").text) == ["S-FINE"]


def test_the_case_page_shows_each_deadline_under_its_key_with_its_explanation(cased):
    page = signed_in(cased).get("/cases/S-LATE")
    assert page.status_code == 200
    view = cases.case_view(cased.engine, "S-LATE", as_of=cased.clock.now.date())
    first = view.deadlines[0].deadline
    assert f'id="{first.key}"' in page.text
    assert first.plain_explanation
    assert str(escape(first.plain_explanation)) in page.text  # for the family
    assert first.explanation in page.text
    assert first.citation in page.text
    assert "Request received" in page.text
    assert "Recorded by setup" in page.text
    offered = re.findall(r'<option value="(\w+)"', page.text.split('id="record"')[1])
    assert offered == [k for k in view.allowed_events
                       if k not in ("case_closed", "event_withdrawn")]
    assert "decision_to_assess_notified" in offered
    assert "reassessment_decision_notified" not in offered


def test_recording_an_event_moves_the_deadline(cased):
    client = signed_in(cased)
    done = record(client, "S-LATE", "decision_to_assess_notified", "2026-12-02",
                  outcome="assess")
    assert done.status_code == 303
    assert done.headers["location"] == "/cases/S-LATE?done=recorded"
    page = client.get(done.headers["location"])
    assert "The event was recorded" in page.text
    view = cases.case_view(cased.engine, "S-LATE", as_of=cased.clock.now.date())
    assert view.stage == "assessing"
    assert view.timeline[-1].recorded_by == "alice"
    assert view.timeline[-1].id.startswith("web-")  # every event from the web has an id
    met = next(d for d in view.deadlines if d.deadline.key == "decision_to_assess_due")
    assert met.status.value == "met_late"
    assert "Met late" in page.text
    assert references(client.get("/cases").text)[0] != "S-LATE"  # no longer the most urgent


def test_an_invalid_entry_shows_the_errors_and_keeps_what_was_typed(cased):
    client = signed_in(cased)
    hidden = form_of(client, "/cases/S-LATE/record?type=decision_to_assess_notified")
    page = client.post("/cases/S-LATE/record", data={
        **hidden, "date-day": "31", "date-month": "2", "date-year": "2026", "note": "kept"})
    assert page.status_code == 400
    assert "<title>Error: Record" in page.text
    assert 'href="#date-day"' in page.text
    assert 'href="#outcome"' in page.text
    assert "Date it happened must be a real date" in page.text
    assert 'id="outcome-error"' in page.text
    assert 'value="31"' in page.text
    assert 'value="kept"' in page.text
    assert cases.case_view(cased.engine, "S-LATE", as_of=cased.clock.now.date()).seq == 1


def test_an_event_the_rules_refuse_is_an_error_on_the_form(cased):
    client = signed_in(cased)
    page = record(client, "S-LATE", "decision_to_assess_notified", "2026-09-01",
                  outcome="refuse")  # before the request
    assert page.status_code == 422
    assert 'class="govuk-error-summary' in page.text
    assert 'id="date-error"' in page.text
    assert 'value="refuse" checked' in page.text
    offered = client.get("/cases/S-LATE/record?type=reassessment_decision_notified")
    assert offered.status_code == 422  # not legal in this state: not offered either


def test_a_concurrent_change_keeps_the_input_and_says_what_changed(cased):
    client = signed_in(cased)
    hidden = form_of(client, "/cases/S-LATE/record?type=decision_to_assess_notified")
    cases.record_events(cased.engine, "S-LATE", [
        {"type": "child_date_of_birth", "date": "2015-05-05", "id": "dob"}], recorded_by="bob",
        as_of=cased.clock.now.date())
    page = client.post("/cases/S-LATE/record", data={
        **hidden, "date-day": "2", "date-month": "12", "date-year": "2026",
        "outcome": "assess"})
    assert page.status_code == 409
    assert "This case changed while you were typing" in page.text
    assert "child date of birth" in page.text
    assert 'value="assess" checked' in page.text
    assert 'value="2"' in page.text
    again = hidden_fields(page.text)
    assert again["seq"] == "2"
    resent = client.post("/cases/S-LATE/record", data={
        **again, "date-day": "2", "date-month": "12", "date-year": "2026",
        "outcome": "assess"})
    assert resent.status_code == 303


def test_a_double_submit_records_the_event_once(cased):
    client = signed_in(cased)
    hidden = form_of(client, "/cases/S-LATE/record?type=decision_to_assess_notified")
    data = {**hidden, "date-day": "2", "date-month": "12", "date-year": "2026",
            "outcome": "assess"}
    assert client.post("/cases/S-LATE/record", data=data).status_code == 303
    again = client.post("/cases/S-LATE/record", data=data)  # the same form, sent again
    assert again.headers["location"] == "/cases/S-LATE?done=recorded"
    assert cases.case_view(cased.engine, "S-LATE", as_of=cased.clock.now.date()).seq == 2


def test_correcting_the_request_date_from_the_timeline(cased):
    client = signed_in(cased)
    form = client.get("/cases/S-LATE/record?supersedes=S-LATE-request")
    assert form.status_code == 200
    assert 'value="1"' in form.text
    assert 'value="10"' in form.text
    hidden = hidden_fields(form.text)
    assert hidden["supersedes"] == "S-LATE-request"
    done = client.post("/cases/S-LATE/record", data={
        **hidden, "date-day": "20", "date-month": "11", "date-year": "2026"})
    assert done.headers["location"] == "/cases/S-LATE?done=corrected"
    view = cases.case_view(cased.engine, "S-LATE", as_of=cased.clock.now.date())
    assert [e.in_effect for e in view.timeline] == [False, True]
    assert view.deadlines[0].deadline.trigger_date.isoformat() == "2026-11-20"
    assert "No longer in effect" in client.get("/cases/S-LATE").text


def test_withdrawing_an_event_needs_a_reason(cased):
    client = signed_in(cased)
    record(client, "S-LATE", "decision_to_assess_notified", "2026-12-02", outcome="assess")
    view = cases.case_view(cased.engine, "S-LATE", as_of=cased.clock.now.date())
    decision = view.timeline[-1].id
    hidden = form_of(client, f"/cases/S-LATE/record?withdraws={decision}")
    assert hidden["withdraws"] == decision
    missing = client.post("/cases/S-LATE/record", data={
        **hidden, "date-day": "3", "date-month": "12", "date-year": "2026"})
    assert missing.status_code == 400
    assert 'id="reason-error"' in missing.text
    done = client.post("/cases/S-LATE/record", data={
        **hidden, "date-day": "3", "date-month": "12", "date-year": "2026",
        "reason": "recorded on the wrong case"})
    assert done.status_code == 303
    after = cases.case_view(cased.engine, "S-LATE", as_of=cased.clock.now.date())
    assert after.stage == "requested"
    assert after.timeline[-1].type == "event_withdrawn"
    unknown = client.get("/cases/S-LATE/record?withdraws=no-such-event")
    assert unknown.status_code == 404


def test_closing_a_case_asks_first(cased):
    client = signed_in(cased)
    question = client.get("/cases/S-FINE/close")
    assert "Are you sure you want to close this case?" in question.text
    token = csrf_of(question.text)
    missing = client.post("/cases/S-FINE/close", data={"csrf_token": token})
    assert missing.status_code == 400
    assert 'id="reason-error"' in missing.text
    assert 'id="date-error"' in missing.text
    done = client.post("/cases/S-FINE/close", data={
        "csrf_token": token, "reason": "request_withdrawn",
        "date-day": "3", "date-month": "12", "date-year": "2026"})
    assert done.headers["location"] == "/cases/S-FINE?done=closed"
    view = cases.case_view(cased.engine, "S-FINE", as_of=cased.clock.now.date())
    assert view.stage == "closed"
    assert view.allowed_events == ()
    assert client.get("/cases/S-FINE/close").status_code == 422  # nothing more to close


def test_the_worklist_is_what_is_overdue_or_due_soon(cased):
    client = signed_in(cased)
    page = client.get("/worklist")
    assert page.status_code == 200
    assert references(page.text) == ["S-LATE", "S-SOON"]
    assert "Worklist for 3 December 2026" in page.text
    assert references(client.get("/worklist?overdue=yes").text) == ["S-LATE"]
    assert references(signed_in(cased, "mo").get("/worklist").text) == [
        "S-LATE", "S-SOON", "S-BOB"]  # the team's


@pytest.mark.parametrize("path", ["/cases", "/cases/S-LATE", "/worklist", "/team",
                                  "/service", "/cases/S-LATE/record?type=x"])
def test_signed_out_goes_to_log_in_and_back(cased, path):
    response = cased.client().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
