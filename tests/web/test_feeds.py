"""iCalendar feeds: parsed back with icalendar, one all-day event per deadline, UIDs
stable when a date moves, revocable, scoped to one authority."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from family_fixtures import ELSEWHERE, NOTE, open_cases

from services import cases, feeds
from services.errors import NotFound


@pytest.fixture
def case(web):
    return open_cases(web.engine)


def _feed(web, **subject):
    (kind, value), = subject.items()
    return feeds.create_feed(web.engine, kind=kind, subject=value, la_code="E10000028",
                             actor="alice", now=web.clock()).token


def _events(web, token):
    answer = web.client().get(f"/feeds/{token}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    events = list(calendar.walk("VEVENT"))
    for event in events:  # each a valid all-day event with what RFC 5545 requires
        assert event["UID"]
        assert event["DTSTAMP"].dt.tzinfo is not None
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is dt.date
        assert end == start + dt.timedelta(days=1)
    return {str(e["UID"]): e for e in events}, answer.text


def test_a_caseworkers_feed_has_one_event_per_deadline_with_the_plain_explanation(web, case):
    events, text = _events(web, _feed(web, caseworker="alice"))
    assert events, "the request starts the 6-week and 20-week clocks"
    summaries = {str(e["SUMMARY"]): e for e in events.values()}
    decision = summaries["EHC-F-1: decision to assess due"]
    assert decision["DTSTART"].dt == dt.date(2026, 11, 16)
    assert "by Monday 16 November 2026" in str(decision["DESCRIPTION"])  # engine.plain
    assert all(str(s).startswith("EHC-F-1:") for s in summaries)  # not bob's case
    assert NOTE not in text


def test_a_moved_date_updates_its_event_rather_than_adding_one(web, case):
    token = _feed(web, case="EHC-F-1")
    before, _ = _events(web, token)
    cases.record_events(web.engine, "EHC-F-1", [
        {"type": "request_received", "date": "2026-10-12", "requester": "parent",
         "channel": "email", "id": "rr-2", "supersedes": "rr-1"},
    ], recorded_by="alice")
    after, _ = _events(web, token)
    assert set(after) == set(before)
    moved = [uid for uid in after if after[uid]["DTSTART"].dt != before[uid]["DTSTART"].dt]
    assert moved
    assert all(after[uid]["DTSTART"].dt - before[uid]["DTSTART"].dt
                         == dt.timedelta(days=7) for uid in moved)


def test_team_feed_and_revocation(web, case):
    token = _feed(web, team="North")
    events, _ = _events(web, token)
    assert {str(e["SUMMARY"]).split(":")[0] for e in events.values()} == {"EHC-F-1", "EHC-F-2"}
    [info] = feeds.list_feeds(web.engine, la_code="E10000028")
    feeds.revoke_feed(web.engine, info.id, la_code="E10000028", actor="alice",
                      now=web.clock())
    assert web.client().get(f"/feeds/{token}.ics").status_code == 404
    assert web.client().get("/feeds/guessed.ics").status_code == 404


def test_a_feed_cannot_reach_into_another_authority(web, case):
    for kind, subject in (("case", ELSEWHERE), ("caseworker", "dave")):
        with pytest.raises(NotFound):
            feeds.create_feed(web.engine, kind=kind, subject=subject, la_code="E10000028",
                              actor="alice", now=web.clock())


def test_uids_come_from_what_the_deadline_is_never_its_date():
    uid = feeds.event_uid("EHC-1", "final_plan_due", "")
    assert uid == feeds.event_uid("EHC-1", "final_plan_due", "")
    assert uid != feeds.event_uid("EHC-1", "final_plan_due", "2")
    assert uid != feeds.event_uid("EHC-2", "final_plan_due", "")
