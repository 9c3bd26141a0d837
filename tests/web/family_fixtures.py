"""Cases for the family page, feed and API tests: alice's EHC-F-1 with a staff note, and
other cases (bob's, and one in Hartlepool) that must never show through it."""

from __future__ import annotations

from sqlalchemy import Engine

from services import cases

NOTE = "Mum rang upset about the school - internal only"
OTHER = "EHC-F-2"
ELSEWHERE = "EHC-H-1"


def open_cases(engine: Engine) -> str:
    cases.open_case(engine, "EHC-F-1", process="assessment", caseworker="alice",
                    la_code="E10000028", actor="setup")
    cases.record_events(engine, "EHC-F-1", [
        {"type": "request_received", "date": "2026-10-05", "requester": "parent",
         "channel": "email", "id": "rr-1", "note": NOTE},
    ], recorded_by="alice")
    cases.open_case(engine, OTHER, process="assessment", caseworker="bob",
                    la_code="E10000028", actor="setup")
    cases.record_events(engine, OTHER, [
        {"type": "request_received", "date": "2026-09-01", "requester": "school",
         "channel": "email", "note": "other case note"},
    ], recorded_by="bob")
    cases.open_case(engine, ELSEWHERE, process="assessment", caseworker="dave",
                    la_code="E06000001", actor="setup")
    return "EHC-F-1"
