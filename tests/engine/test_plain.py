"""The family's explanation (issue 8): every deadline key has one, in plain English - no
rule codes, no citations, no "[verify]", short sentences, day names in full - beside the
staff explanation, which keeps its source."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from calendars import load_calendar
from engine import plain
from engine.deadlines import project_deadlines
from engine.events import parse_events
from engine.periods import day_name, long_date
from engine.rules import TIMESCALES
from engine.status import Deadline

STAFFORDSHIRE = load_calendar("E10000028")
CODES = re.compile(
    r"\b(?:[RTA]\d{1,2}[a-c]?|reg|regs|CoP|HESC|SI|CFA|Devon)\b|\[verify\]|Source|_"
)
SHORT = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|"
                   r"Nov|Dec)\b")


def ev(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "date": day, **fields}


ASSESSMENT = [
    ev("child_date_of_birth", "2022-01-01"), ev("request_received", "2025-01-06"),
    ev("decision_to_assess_notified", "2025-02-10", outcome="assess"),
    ev("advice_requested", "2025-02-12", advisor="educational_psychologist"),
    ev("draft_plan_posted", "2025-04-14", method="second_class_post"),
    ev("school_consulted", "2025-04-14", school="URN1"), ev("final_plan_issued", "2025-05-20"),
    ev("review_meeting_scheduled", "2026-01-05", meeting_date="2026-03-02"),
    ev("review_meeting_held", "2026-03-02"),
    ev("review_decision_notified", "2026-03-20", outcome="amend"),
    ev("amendment_notice_served", "2026-03-20", method="first_class_post"),
    {"type": "phase_transfer_expected", "from": "secondary", "to": "post16_institution",
     "transfer_date": "2026-09-01"},
    ev("decision_letter_sent", "2026-05-01", decision="final_plan_contents"),
    ev("mediation_requested", "2026-05-20", issues=["health"]),
    ev("mediation_concluded", "2026-06-10"),
    ev("mediation_agreement", "2026-06-10", appealable=True, action="amend_plan"),
    ev("mediation_agreement", "2026-06-11", by_commissioning_body=True),
    ev("mediation_certificate_issued", "2026-06-12"), ev("appeal_registered", "2026-07-01"),
    ev("tribunal_order", "2026-10-01", order="name_school"),
    ev("reassessment_request_received", "2026-11-02"),
    ev("reassessment_decision_notified", "2026-11-10", outcome="reassess"),
    ev("move_notified_to_old_la", "2026-11-20", move_date="2027-01-10"),
    ev("plan_transferred", "2027-01-10"),
]
REFUSAL = [
    ev("request_received", "2025-01-06"),
    ev("decision_to_assess_notified", "2025-02-10", outcome="refuse"),
    ev("decision_letter_sent", "2025-02-10", decision="refuse_to_assess"),
    ev("mediation_declined", "2025-03-01"),
    ev("mediation_certificate_issued", "2025-03-04"),
    ev("appeal_registered", "2025-03-20"),
    ev("unopposed_appeal_notified", "2025-04-01", appeal="refuse_to_assess"),
    ev("mediation_requested", "2025-02-20", issues="the refusal"),
    ev("mediation_agreement", "2025-02-25", appealable=True, action="assess"),
    ev("mediation_agreement", "2025-02-26"),
]
ORDERED = [  # the refusal appealed, and the Tribunal orders a plan
    *REFUSAL[:3],
    ev("appeal_registered", "2025-03-20"),
    ev("tribunal_order", "2025-05-01", order="make_and_maintain_plan"),
]
OTHERS = [
    ev("final_plan_issued", "2024-10-01"),
    {"type": "phase_transfer_expected", "from": "post16_institution",
     "to": "post16_institution", "transfer_date": "2027-01-05"},
    ev("decision_letter_sent", "2025-01-06", decision="final_plan_contents"),
    ev("appeal_registered", "2025-02-01"),
    ev("tribunal_order", "2025-03-03", order="reassess"),
    ev("unopposed_appeal_notified", "2025-03-10", appeal="contents"),
    ev("tribunal_order", "2025-04-01", order="amend_plan"),
    ev("mediation_agreement", "2025-04-02", appealable=True,
       action="make_and_maintain_plan"),
    ev("mediation_agreement", "2025-04-03", appealable=True, action="name_school"),
]


def every_deadline() -> list[Deadline]:
    return [d for history in (ASSESSMENT, REFUSAL, ORDERED, OTHERS)
            for d in project_deadlines(parse_events(history), STAFFORDSHIRE)]


def test_every_deadline_key_has_a_plain_explanation_in_the_tested_histories():
    keys = {d.key for d in every_deadline()}
    assert keys == {rule.key for rule in TIMESCALES}


def test_plain_explanations_have_no_codes_or_citations_and_short_sentences():
    for deadline in every_deadline():
        text = deadline.plain_explanation
        assert not CODES.search(text), (deadline.key, text)
        assert not SHORT.search(text), (deadline.key, text)
        for sentence in re.split(r"(?<=\.) ", text):
            assert len(sentence.split()) <= 25, (deadline.key, sentence)
        assert f"{deadline.nominal:%A} {deadline.nominal.day} {deadline.nominal:%B %Y}" in text
        assert deadline.explanation.endswith(f"Source: {deadline.citation}.")


def test_every_event_that_starts_a_clock_has_a_plain_phrase():
    starters = {on.type for rule in TIMESCALES for on in rule.starts}
    assert starters <= set(plain.EVENT_PHRASES)


def test_dates_are_written_with_english_day_and_month_names_on_every_day():
    """Both forms, for staff (``Mon 6 Jan 2025``) and for the family (``Monday 6 January
    2025``), on every day of two years (every weekday in every month), as the C locale's
    strftime writes them."""
    day = dt.date(2024, 1, 1)
    while day.year < 2026:
        assert long_date(day) == day.strftime("%a %-d %b %Y")
        assert day_name(day) == day.strftime("%A %-d %B %Y")
        day += dt.timedelta(days=1)
    assert long_date(dt.date(2025, 1, 6)) == "Mon 6 Jan 2025"
    assert day_name(dt.date(2028, 2, 29)) == "Tuesday 29 February 2028"
