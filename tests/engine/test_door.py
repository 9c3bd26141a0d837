"""The engine's door (issue 8): input that used to crash the projection, or was read as
something it is not, is refused with a clear reason and the event's position; an imported
history may still record a request from before the Act, with a warning; a large case
projects in time linear in its events, and an absurd one is refused."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.errors import InvalidEvent, InvalidHistory
from engine.events import parse_event, parse_events

ENGLAND = load_calendar()


def request(day: Any, **fields: Any) -> dict[str, Any]:
    return {"type": "request_received", "date": day, **fields}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (request(0), "date: expected a date written YYYY-MM-DD, not the number 0"),
        (request(20250106), "not the number 20250106"),
        (request("9999-12-31"), "9999-12-31 is outside the dates the engine counts with"),
        (request("2025-01-06", received_at="9999-12-31T23:30:00-05:00"),
         "outside the dates the engine counts with"),
        (request("2014-08-31"), "before the Children and Families Act 2014 Part 3 came into "
                                "force (2014-09-01)"),
        (request("2025-01-06", note="bad \ud800 text"),
         "note: not valid text: character 5 is a lone surrogate"),
        (request("2025-01-06", extra={"\udc00": 1}), "field name '\\udc00': not valid text"),
        (request("2025-01-06", deep=[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]),
         "deep.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0: nested more than 20 levels deep"),
        (request("2025-01-06", note="x" * 10_001), "longer than the 10,000 allowed"),
        (request("2025-01-06", note="a\x00b"), "note: not valid text: character 2 is a NUL"),
        (request("20/07/2026"), "date: '20/07/2026' is not a date written YYYY-MM-DD "
                                "(e.g. 2026-07-20 for 20/07/2026)"),
        (request("2026-7-20"), "date: '2026-7-20' is not a date written YYYY-MM-DD"),
    ],
    ids=["date-0", "date-number", "year-9999", "instant-overflow", "before-the-act",
         "lone-surrogate", "surrogate-key", "deep-nesting", "huge-text", "nul", "uk-date",
         "unpadded-date"],
)
def test_R01_bad_input_at_the_door_is_refused_with_the_reason_and_the_event(data, message):
    with pytest.raises(InvalidEvent) as caught:
        parse_events([request("2025-01-06"), data])
    assert message in caught.value.reason
    assert caught.value.index == 1


def test_R01_an_imported_history_may_record_a_request_from_before_the_act_with_a_warning():
    from engine.deadlines import project_case  # new in issue 8

    events = parse_events([request("2014-03-03", imported=True)])
    projection = project_case(events, ENGLAND)
    decision = next(d for d in projection.deadlines if d.key == "decision_to_assess_due")
    assert decision.nominal == dt.date(2014, 4, 14)  # Mon 3 Mar 2014 + 42 days
    assert any("before the Children and Families Act 2014" in w for w in decision.warnings)
    assert projection.warnings[0].index == 0


def test_R01_a_date_of_birth_may_be_long_before_2000():
    assert parse_event({"type": "child_date_of_birth", "date": "1999-05-01"}).date == (
        dt.date(1999, 5, 1)
    )


def test_R02_a_case_of_more_than_10000_events_is_refused_with_a_clear_message():
    items = [request("2025-01-06")] + [
        {"type": "advice_requested", "date": "2025-02-12", "advisor": "ep"}
    ] * 10_000
    with pytest.raises(InvalidEvent, match="at most 10,000 events"):
        parse_events(items)
    with pytest.raises(InvalidHistory, match="at most 10,000 events"):
        project_deadlines([parse_event(items[0])] * 10_001, ENGLAND)


def test_R02_two_thousand_advice_requests_project_in_linear_time():
    """On main this took 10 s (every advice clock rescanned the history). The bound is
    generous for a shared 2-core machine; linear work takes well under a second."""
    n = 2_000
    items = [request("2025-01-06")]
    items += [{"type": "advice_requested", "date": "2025-02-12", "advisor": f"a{i % 7}",
               "advice_id": f"x{i}"} for i in range(n)]
    items += [{"type": "advice_received", "date": "2025-03-12", "advice_id": f"x{i}"}
              for i in reversed(range(n))]
    events = parse_events(items)
    started = time.perf_counter()
    deadlines = project_deadlines(events, ENGLAND)
    assert time.perf_counter() - started < 4.0
    assert sum(d.key == "advice_due" and d.met_on is not None for d in deadlines) == n
