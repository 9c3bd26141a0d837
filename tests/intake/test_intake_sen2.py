"""The SEN2 reader with no database: each module of a return as the events it stands for,
and what the return cannot say reported, never invented."""

from __future__ import annotations

import datetime as dt

import pytest
from onboarding_fixtures import SEN2

from intake.sen2 import Sen2Error, read_sen2

AS_OF = dt.date(2026, 1, 20)
FLAGS = ("<RequestMediation>0</RequestMediation><RequestTribunal>0</RequestTribunal>")
ASSESSMENT_FLAGS = ("<AssessmentMediation>0</AssessmentMediation>"
                    "<AssessmentTribunal>0</AssessmentTribunal><OtherMediation>0</OtherMediation>"
                    "<OtherTribunal>0</OtherTribunal>")


def message(*requests, lea="E10000028", known=True):
    persons = "".join(f"<Person>{f'<UPN>A1234567890{n:02d}</UPN>' if known else ''}{r}</Person>"
                      for n, r in enumerate(requests))
    return (f"<Message><Header><Source><LEA>{lea}</LEA></Source></Header>"
            f"<Persons>{persons}</Persons></Message>").encode()


def read(data):
    return read_sen2(data, as_of=AS_OF, caseworker="alice", prefix="SEN2-")


def events(case):
    return [(e.data["type"], e.data.get("date"), e.data.get("outcome")) for e in case.events]


def kinds(case):
    return [(i.kind, i.column.split(" ")[0]) for i in case.issues]


def test_a_made_and_reviewed_plan_becomes_its_request_decision_plan_and_review():
    case = read(SEN2.encode()).cases[0]
    assert events(case) == [
        ("request_received", "2025-01-06", None),
        ("decision_to_assess_notified", "2025-02-10", "assess"),
        ("final_plan_issued", "2025-05-20", None),
        ("review_meeting_held", "2025-12-01", None),
        ("review_decision_notified", "2025-12-15", "amend")]
    assert case.events[0].data["requester"] == "school"
    assert all(e.data["imported"] is True for e in case.events)
    assert case.process == "review"
    assert ("not_in_return", "LastReview") in kinds(case)  # was the amended plan issued?


def test_a_meeting_after_the_last_decision_keeps_that_decision_as_the_last_review():
    case = read(message(
        f"<Requests><RYA>0</RYA><RequestOutcome>H</RequestOutcome>{FLAGS}<ActivePlans>"
        "<ReviewMeeting>2026-01-09</ReviewMeeting><ReviewOutcome>1</ReviewOutcome>"
        "<LastReview>2025-03-20</LastReview></ActivePlans></Requests>")).cases[0]
    assert events(case) == [("plan_last_reviewed", "2025-03-20", None),
                            ("review_meeting_held", "2026-01-09", None)]
    assert kinds(case) == [("not_in_return", "ReviewOutcome")]
    assert not case.blocked


def test_a_decision_whose_meeting_fell_before_the_year_is_recorded_alone():
    case = read(message(
        f"<Requests><RYA>0</RYA><RequestOutcome>H</RequestOutcome>{FLAGS}<ActivePlans>"
        "<ReviewOutcome>1</ReviewOutcome><LastReview>2025-03-20</LastReview></ActivePlans>"
        "</Requests>")).cases[0]
    assert events(case) == [("review_decision_notified", "2025-03-20", "maintain")]
    assert not case.blocked


def test_an_assessment_to_issue_without_a_named_plan_is_its_draft():
    case = read(message(
        f"<Requests><ReceivedDate>2025-06-02</ReceivedDate><RYA>0</RYA>"
        f"<RequestOutcomeDate>2025-07-10</RequestOutcomeDate><RequestOutcome>A</RequestOutcome>"
        f"{FLAGS}<Assessment><AssessmentOutcome>Y</AssessmentOutcome>"
        f"<AssessmentOutcomeDate>2025-10-01</AssessmentOutcomeDate>{ASSESSMENT_FLAGS}"
        "<Week20>1</Week20></Assessment></Requests>")).cases[0]
    assert events(case)[-1] == ("draft_plan_served", "2025-10-01", None)
    assert kinds(case) == [("inferred_method", "AssessmentOutcomeDate"),
                           ("not_in_return", "Week20")]
    assert case.process == "assessment"


def test_a_ceased_plan_closes_its_case_and_a_refusal_says_its_appeal_is_undated():
    return_ = read(message(
        f"<Requests><ReceivedDate>2024-01-08</ReceivedDate><RYA>0</RYA>"
        f"<RequestOutcomeDate>2024-02-12</RequestOutcomeDate><RequestOutcome>A</RequestOutcome>"
        f"{FLAGS}<Assessment><AssessmentOutcome>Y</AssessmentOutcome>"
        f"<AssessmentOutcomeDate>2024-05-20</AssessmentOutcomeDate>{ASSESSMENT_FLAGS}"
        "<NamedPlan><StartDate>2024-05-20</StartDate><CeaseDate>2025-07-31</CeaseDate>"
        "<CeaseReason>5</CeaseReason></NamedPlan></Assessment></Requests>",
        "<Requests><ReceivedDate>2025-03-03</ReceivedDate><RYA>0</RYA>"
        "<RequestOutcomeDate>2025-04-11</RequestOutcomeDate><RequestOutcome>B</RequestOutcome>"
        "<RequestMediation>1</RequestMediation><RequestTribunal>0</RequestTribunal></Requests>",
    ))
    ceased, refused = return_.cases
    assert events(ceased)[-1] == ("case_closed", "2025-07-31", None)
    assert ceased.events[-1].data["reason"] == "moved_away"
    assert events(refused) == [("request_received", "2025-03-03", None),
                               ("decision_to_assess_notified", "2025-04-11", "refuse")]
    assert kinds(refused) == [("not_in_return", "RequestMediation")]


def test_people_known_by_nothing_still_get_distinct_stable_references():
    same = f"<Requests><RYA>0</RYA><RequestOutcome>H</RequestOutcome>{FLAGS}<ActivePlans>" \
           "<LastReview>2025-08-19</LastReview></ActivePlans></Requests>"
    first = [c.reference for c in read(message(same, same, known=False)).cases]
    assert len(set(first)) == 2
    assert [c.reference for c in read(message(same, same, known=False)).cases] == first
    assert kinds(read(message(same, known=False)).cases[0])[0] == ("not_in_return", "Person")


def test_a_bad_or_future_date_is_reported_at_its_element_and_line():
    return_ = read(message(
        f"<Requests><ReceivedDate>2025-02-30</ReceivedDate><RYA>0</RYA>{FLAGS}</Requests>",
        f"<Requests><ReceivedDate>2026-03-01</ReceivedDate><RYA>0</RYA>{FLAGS}</Requests>"))
    assert [(c.row, kinds(c)) for c in return_.cases] == [
        (1, [("bad_date", "ReceivedDate")]), (2, [("in_the_future", "ReceivedDate")])]
    assert "(line 1)" in return_.cases[0].issues[0].column


def test_the_return_says_whose_it_is():
    assert read(message(lea="860")).lea_code is None
    assert read(message()).lea_code == "E10000028"
    with pytest.raises(Sen2Error, match="LEA is missing"):
        read(b"<Message><Persons/></Message>")


def test_entities_are_not_expanded():
    evil = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<Message><Header><Source><LEA>&x;</LEA></Source></Header><Persons/></Message>")
    with pytest.raises(Sen2Error, match="LEA is missing"):
        read(evil)
