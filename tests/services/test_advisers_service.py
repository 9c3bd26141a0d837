"""Advisers are named by type at the door, with an authority's own types from a file."""

from __future__ import annotations

import datetime as dt

import pytest

from services import cases
from services.errors import InvalidInput

STAFFS = "E10000028"
REQUEST = {"type": "request_received", "date": "2025-01-06"}
TODAY = dt.date(2026, 1, 5)  # the day the events are recorded on (as_of)
DECIDED = {"type": "decision_to_assess_notified", "date": "2025-02-10", "outcome": "assess"}


def advice(advisor, **extra):
    return {"type": "advice_requested", "date": "2025-02-11", "advisor": advisor, **extra}


@pytest.fixture
def assessing(staffed):
    cases.open_case(staffed, "C1", process="assessment", caseworker="alice", la_code=STAFFS,
                    actor="t")
    cases.record_events(staffed, "C1", [REQUEST, DECIDED], recorded_by="alice", as_of=TODAY)
    return staffed


def test_spellings_are_stored_as_one_type_and_health_names_its_icb(assessing):
    cases.record_events(assessing, "C1", [advice("Ed Psych"),
                                          advice("Health", organisation="ICB North")],
                        recorded_by="alice", as_of=TODAY)
    view = cases.case_view(assessing, "C1", as_of=dt.date(2025, 3, 1))
    details = [e.details for e in view.timeline if e.type == "advice_requested"]
    assert [d["advisor"] for d in details] == ["educational_psychologist", "health"]
    assert details[1]["organisation"] == "ICB North"


def test_unknown_advisers_and_unnamed_health_bodies_are_refused_writing_nothing(assessing):
    with pytest.raises(InvalidInput, match="unknown adviser 'plumber'") as unknown:
        cases.record_events(assessing, "C1", [advice("EP"), advice("plumber")],
                            recorded_by="alice", as_of=TODAY)
    assert (unknown.value.field, unknown.value.index) == ("advisor", 1)
    with pytest.raises(InvalidInput, match="must name the organisation"):
        cases.record_events(assessing, "C1", [advice("health_icb")], recorded_by="alice",
                            as_of=TODAY)
    assert cases.case_view(assessing, "C1", as_of=dt.date(2025, 3, 1)).seq == 2


def test_an_authority_adds_its_own_types_in_the_settings_file(assessing, tmp_path):
    types = tmp_path / "advisers.yaml"
    types.write_text(f"{STAFFS}:\n  - key: speech_and_language_therapy\n"
                     "    label: Speech and language therapy\n    aliases: [salt]\n")
    cases.record_events(assessing, "C1", [advice("SALT")], recorded_by="alice", as_of=TODAY,
                        adviser_types=types)
    with pytest.raises(InvalidInput, match="unknown adviser 'SALT'"):
        cases.record_events(assessing, "C1", [advice("SALT")], recorded_by="alice", as_of=TODAY)
    types.write_text(f"{STAFFS}:\n  - key: ep\n    label: again\n")
    with pytest.raises(InvalidInput, match="adviser types file .*already exist"):
        cases.record_events(assessing, "C1", [advice("EP")], recorded_by="alice", as_of=TODAY,
                            adviser_types=types)
