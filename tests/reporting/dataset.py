"""A small hand-built caseload whose every figure the tests compute by hand.

Each event is recorded at noon (UTC) on its own date, as a caseworker would, unless it
gives ``at`` (a later recording). Staffordshire (E10000028), plus Hartlepool (E06000001)
for the case that moved.

A  alice  request Mon 5 Jan 2026; decision 16 Feb (day 42, on time); EP advice asked 16
          Feb, in 6 Apr (day 49, late; Staffs EP Service); health advice (Staffs ICB) 16
          Feb -> 20 Mar (on time); final plan 25 May = day 140 exactly (on time).
B  bob    request 12 Jan; decision 2 Mar (day 49, late); plan 6 Jul (day 175, late).
C  carol  request 2 Feb; decision 9 Mar (on time); reg 13(3)(c) exception 1 Apr; plan
          13 Jul (day 161: late, but excepted).
D  alice  request 19 Jan; decision 20 Feb (on time); EP advice 20 Feb -> 10 Apr (day 49,
          late); plan recorded 1 Jun as 29 May (day 130); on 15 Jul a correction says it
          was 15 Jun (day 147, late).
E  bob    request 1 Dec 2025 (December); decision 9 Jan 2026 (day 39); plan 20 Jan 2026.
F  carol  request 6 Oct 2025; decision 10 Nov 2025; plan 16 Feb 2026 (day 133); the family
          moves to Hartlepool: old LA told 20 Mar, plan transferred 20 Apr.
G  dave   (Hartlepool) the plan arrives 20 Apr; review meeting 22 Jun; decision to
          maintain 6 Jul (day 14, on time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from freezegun import freeze_time
from sqlalchemy import Engine

from db.directory import open_case
from db.event_store import append
from db.session import unit_of_work

HARTLEPOOL = "E06000001"
STAFFS = "E10000028"


def ev(kind: str, date: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": date, **fields}


CASES: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "A": ("alice", STAFFS, [
        ev("request_received", "2026-01-05", requester="parent"),
        ev("decision_to_assess_notified", "2026-02-16", outcome="assess"),
        ev("advice_requested", "2026-02-16", advisor="educational_psychologist",
           advice_id="A-ep", organisation="Staffs EP Service"),
        ev("advice_requested", "2026-02-16", advisor="health", advice_id="A-health",
           organisation="Staffs ICB"),
        ev("advice_received", "2026-03-20", advice_id="A-health"),
        ev("advice_received", "2026-04-06", advice_id="A-ep"),
        ev("final_plan_issued", "2026-05-25"),
    ]),
    "B": ("bob", STAFFS, [
        ev("request_received", "2026-01-12", requester="school"),
        ev("decision_to_assess_notified", "2026-03-02", outcome="assess"),
        ev("final_plan_issued", "2026-07-06"),
    ]),
    "C": ("carol", STAFFS, [
        ev("request_received", "2026-02-02"),
        ev("decision_to_assess_notified", "2026-03-09", outcome="assess"),
        ev("exception_recorded", "2026-04-01",
           ground="reg13_3_c_exceptional_personal_circumstances", applies_to=["final_plan"]),
        ev("final_plan_issued", "2026-07-13"),
    ]),
    "D": ("alice", STAFFS, [
        ev("request_received", "2026-01-19", requester="health"),
        ev("decision_to_assess_notified", "2026-02-20", outcome="assess"),
        ev("advice_requested", "2026-02-20", advisor="educational_psychologist",
           advice_id="D-ep"),
        ev("advice_received", "2026-04-10", advice_id="D-ep"),
        ev("final_plan_issued", "2026-05-29", id="D-plan", at="2026-06-01"),
        ev("final_plan_issued", "2026-06-15", supersedes="D-plan", at="2026-07-15"),
    ]),
    "E": ("bob", STAFFS, [
        ev("request_received", "2025-12-01", requester="social_care"),
        ev("decision_to_assess_notified", "2026-01-09", outcome="assess"),
        ev("final_plan_issued", "2026-01-20"),
    ]),
    "F": ("carol", STAFFS, [
        ev("request_received", "2025-10-06", requester="other"),
        ev("decision_to_assess_notified", "2025-11-10", outcome="assess"),
        ev("final_plan_issued", "2026-02-16"),
        ev("move_notified_to_old_la", "2026-03-20", move_date="2026-04-20"),
        ev("plan_transferred", "2026-04-20", move_date="2026-04-20", to_la=HARTLEPOOL),
    ]),
    "G": ("dave", HARTLEPOOL, [
        ev("plan_transferred", "2026-04-20", move_date="2026-04-20", from_la=STAFFS),
        ev("review_meeting_held", "2026-06-22"),
        ev("review_decision_notified", "2026-07-06", outcome="maintain"),
    ]),
}


def load(engine: Engine, cases: dict[str, tuple[str, str, list[dict[str, Any]]]] = CASES) -> None:
    """Open every case and record its events one at a time, each on its own day."""
    with freeze_time("2025-09-01 09:00:00"), unit_of_work(engine, write=True) as s:
        for ref, (worker, la, events) in cases.items():
            process = "assessment" if events[0]["type"] == "request_received" else "review"
            open_case(s, ref, process=process, caseworker=worker, la_code=la, actor="test")
    timeline = sorted(
        ((event.get("at") or event["date"], ref, n, event)
         for ref, (_, _, events) in cases.items() for n, event in enumerate(events)),
    )
    for at, ref, _, event in timeline:
        data = {k: v for k, v in event.items() if k != "at"}
        with freeze_time(dt.datetime.fromisoformat(f"{at}T12:00:00+00:00")), \
                unit_of_work(engine, write=True) as s:
            append(s, ref, [data], None, "test")
