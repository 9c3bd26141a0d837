"""The demo generator: reproducible, valid for the engine, realistic, no data about children."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter

import pytest

from calendars import load_calendar
from demo import DEMO_LA_CODE, generate_demo_la, generate_open_cases
from demo.schools import KINDS, PLACES
from demo.staff import FIRST_NAMES, SURNAMES
from engine.deadlines import project_deadlines
from engine.events import parse_events

AS_OF = dt.date(2026, 11, 23)
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def default_la():
    return generate_demo_la(2026, AS_OF)


@pytest.fixture(scope="module")
def calendar():
    return load_calendar(DEMO_LA_CODE)


def by_type(case):
    found: dict[str, list[dict]] = {}
    for event in case.events:
        found.setdefault(event["type"], []).append(event)
    return found


# --- reproducible -------------------------------------------------------------------------


def test_same_seed_and_date_give_the_same_local_authority():
    assert generate_demo_la(11, AS_OF, "small") == generate_demo_la(11, AS_OF, "small")


def test_another_seed_gives_other_staff_and_cases():
    one, two = generate_demo_la(11, AS_OF, "small"), generate_demo_la(12, AS_OF, "small")
    assert one.organisation.staff != two.organisation.staff
    assert [c.events for c in one.cases] != [c.events for c in two.cases]


def test_open_cases_are_reproducible_and_produced_lazily():
    first = list(itertools.islice(generate_open_cases(100_000, 5, AS_OF).cases, 50))
    again = list(itertools.islice(generate_open_cases(100_000, 5, AS_OF).cases, 50))
    assert first == again
    assert len({c.reference for c in first}) == 50


# --- valid for the engine -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "as_of"),
    [
        (1, AS_OF),
        (2, dt.date(2026, 2, 10)),  # phase-transfer season: amendments due by 14 February
        (3, dt.date(2026, 8, 14)),  # summer closure: requests caught by the school holidays
        (4, dt.date(2025, 12, 29)),  # between Christmas and New Year
    ],
)
def test_every_generated_history_parses_and_projects(seed, as_of, calendar):
    la = generate_demo_la(seed, as_of, "small")
    for case in la.cases:
        deadlines = project_deadlines(parse_events(case.events), calendar)
        assert deadlines, case.reference


def test_every_default_scale_history_projects(default_la, calendar):
    total = sum(
        len(project_deadlines(parse_events(case.events), calendar)) for case in default_la.cases
    )
    assert total > 5 * len(default_la.cases)


def test_benchmark_caseload_is_open_cases_only_and_valid(calendar):
    caseload = generate_open_cases(600, 9, AS_OF)
    cases = list(caseload.cases)
    assert len(cases) == caseload.size == 600
    for case in cases:
        kinds = by_type(case)
        outcomes = {e.get("outcome") for e in case.events}
        assert "refuse" not in outcomes
        assert "cease" not in outcomes
        assert "decision_not_to_issue_notified" not in kinds
        project_deadlines(parse_events(case.events), calendar)
    usernames = {s.username for s in caseload.organisation.caseworkers()}
    assert {c.caseworker for c in cases} <= usernames


# --- nothing after as_of ------------------------------------------------------------------

FORECASTS = {"phase_transfer_expected", "school_closure"}  # carry their own (future) dates


def legal_dates(event):
    if event["type"] in FORECASTS:
        return []
    dates = [event["date"]]
    dates += [event[k] for k in ("from", "to") if k in event]
    return [D(d) for d in dates]


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2026, 2, 10), dt.date(2026, 7, 31)])
def test_no_legal_date_is_after_as_of(as_of):
    la = generate_demo_la(21, as_of, "small")
    latest = max(d for c in la.cases for e in c.events for d in legal_dates(e))
    assert latest <= as_of
    assert latest >= as_of - dt.timedelta(days=7)  # the data runs right up to as_of


def test_meetings_booked_for_after_as_of_are_scheduled_but_not_yet_held(default_la):
    ahead = 0
    for case in default_la.cases:
        kinds = by_type(case)
        for booked in kinds.get("review_meeting_scheduled", []):
            if D(booked["meeting_date"]) > AS_OF:
                ahead += 1
                held = [D(e["date"]) for e in kinds.get("review_meeting_held", [])]
                assert D(booked["meeting_date"]) not in held
    assert ahead >= 20


# --- realistic ----------------------------------------------------------------------------


def assessment_weeks(la):
    weeks = []
    for case in la.cases:
        kinds = by_type(case)
        if "request_received" in kinds and "final_plan_issued" in kinds:
            issued, requested = kinds["final_plan_issued"][0], kinds["request_received"][0]
            weeks.append((D(issued["date"]) - D(requested["date"])).days / 7)
    return weeks


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_about_half_of_new_plans_take_longer_than_20_weeks(seed):
    weeks = assessment_weeks(generate_demo_la(seed, AS_OF, "small"))
    assert len(weeks) >= 80
    late = sum(w > 20 for w in weeks) / len(weeks)
    assert 0.35 <= late <= 0.65


def test_some_new_plans_take_longer_than_a_year(default_la):
    weeks = assessment_weeks(default_la)
    assert 0.005 <= sum(w > 52 for w in weeks) / len(weeks) <= 0.10


def test_educational_psychology_advice_is_the_most_often_late(default_la):
    late: Counter[str] = Counter()
    for case in default_la.cases:
        asked = {e["advice_id"]: e for e in by_type(case).get("advice_requested", [])}
        for got in by_type(case).get("advice_received", []):
            request = asked[got["advice_id"]]
            if (D(got["date"]) - D(request["date"])).days > 42:
                late[request["advisor"]] += 1
    (most, _), (second, _) = late.most_common(2)
    assert most == "educational_psychologist"
    assert late[most] > 1.3 * late[second]


def test_exceptions_and_refusals_are_present_but_rare(default_la):
    grounds = Counter(
        e["ground"] for c in default_la.cases for e in by_type(c).get("exception_recorded", [])
    )
    assert grounds["reg13_3_a_school_closure"] > 0
    assert grounds["reg13_3_c_exceptional_personal_circumstances"] > 0
    assert grounds["reg8_2_c_appointment_not_kept"] > 0
    plans = len(assessment_weeks(default_la))
    assert sum(grounds.values()) < 0.25 * plans
    refusals = [
        c for c in default_la.cases
        if any(e.get("outcome") == "refuse" for e in c.events)
    ]
    assert 10 <= len(refusals) <= 0.2 * len(default_la.cases)


def open_assessment_stage(case):
    kinds = by_type(case)
    if "final_plan_issued" in kinds or "decision_letter_sent" in kinds:
        return None
    if "decision_to_assess_notified" not in kinds:
        overdue = AS_OF > D(kinds["request_received"][0]["date"]) + dt.timedelta(weeks=6)
        return "decision overdue" if overdue else "decision due"
    if "draft_plan_served" in kinds or "draft_plan_posted" in kinds:
        return "draft served"
    asked = len(kinds.get("advice_requested", []))
    if not asked or len(kinds.get("advice_received", [])) < asked:
        return "advice outstanding"
    overdue = AS_OF > D(kinds["request_received"][0]["date"]) + dt.timedelta(weeks=20)
    return "final plan overdue" if overdue else "writing the plan"


def test_a_few_hundred_open_assessments_at_every_stage(default_la):
    stages = Counter(
        open_assessment_stage(c) for c in default_la.cases if c.process == "assessment"
    )
    stages.pop(None)
    assert 150 <= sum(stages.values()) <= 500
    for stage in ("decision due", "decision overdue", "advice outstanding", "draft served",
                  "final plan overdue"):
        assert stages[stage] >= 3, stages


def test_a_few_thousand_plans_under_review_at_every_stage(default_la):
    reviews = [c for c in default_la.cases if c.process == "review"]
    assert 2000 <= len(reviews) <= 6000
    last = Counter(
        [e["type"] for e in c.events if e["type"] not in FORECASTS][-1] for c in reviews
    )
    booked = ("review_meeting_scheduled", "review_invitations_sent", "review_advice_circulated")
    last["meeting booked"] = sum(last[t] for t in booked)
    for stage in ("plan_last_reviewed", "final_plan_issued", "meeting booked",
                  "review_meeting_held", "review_report_sent", "review_decision_notified",
                  "amendment_notice_served", "amended_plan_issued"):
        assert last[stage] >= 5, last
    transfers = [c for c in reviews if "phase_transfer_expected" in by_type(c)]
    assert 0.1 * len(reviews) <= len(transfers) <= 0.3 * len(reviews)
    septembers = {by_type(c)["phase_transfer_expected"][0]["transfer_date"] for c in transfers}
    assert septembers == {"2027-09-01"}


# --- the organisation ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_staff_are_a_head_of_service_and_managed_teams_of_caseworkers(seed):
    org = generate_demo_la(seed, AS_OF, "small").organisation
    assert org.la_code == DEMO_LA_CODE
    assert 4 <= len(org.teams) <= 6
    assert 15 <= len(org.caseworkers()) <= 25
    managers = {s.username: s for s in org.staff if s.role == "team_manager"}
    assert {t.manager for t in org.teams} == set(managers)
    assert all(org.caseworkers(t.code) for t in org.teams)
    assert org.head_of_service.role == "head_of_service"
    assert len({s.username for s in org.staff}) == len(org.staff)


def test_staff_addresses_are_reserved_example_addresses(default_la):
    for member in default_la.organisation.staff:
        assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9]+\.example\.org", member.email), member.email
        first, last = member.name.split(" ", 1)
        assert first in FIRST_NAMES
        assert last in SURNAMES


def test_cases_have_unique_references_and_real_caseworkers(default_la):
    references = [c.reference for c in default_la.cases]
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"EHC-20\d\d-\d{5}", r) for r in references)
    org = default_la.organisation
    assessment_team = {s.username for s in org.caseworkers("assessment")}
    for case in default_la.cases:
        if case.process == "assessment":
            assert case.caseworker in assessment_team
        else:
            assert case.caseworker in {s.username for s in org.caseworkers()}


# --- no personal data about children ------------------------------------------------------

# Every field the generator may write; anything else (a name, a birth date, a need) fails.
ALLOWED_FIELDS = {
    "type", "date", "requester", "channel", "outcome", "advisor", "advice_id", "school",
    "ground", "applies_to", "method", "decision", "from", "to", "transfer_date",
    "closed_from", "reopens_on", "meeting_date", "attends",
}
SCHOOL = re.compile(rf"({'|'.join(map(re.escape, PLACES))}) ({'|'.join(map(re.escape, KINDS))})")


def test_children_appear_only_as_case_references(default_la):
    for case in default_la.cases:
        for event in case.events:
            assert set(event) <= ALLOWED_FIELDS, event
            assert event["type"] != "child_date_of_birth"
            if "school" in event:
                assert SCHOOL.fullmatch(event["school"]), event["school"]
    staff_names = {s.name for s in default_la.organisation.staff}
    text = repr([c.events for c in default_la.cases])
    assert not any(name in text for name in staff_names)
