"""The assessment and review stage machines (engine.stages): table rows, refusals, replay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from event_samples import LABEL_VALUES, make
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.errors import IllegalTransition
from engine.events import EVENT_TYPES
from engine.stages import (
    ASSESSMENT,
    FIRST_EVENTS,
    GUARDS,
    NEUTRAL,
    PROCESSES,
    REVIEW,
    TRANSITIONS,
    A,
    CaseState,
    OpenAdvice,
    R,
    apply,
    label,
    mermaid,
    replay,
)

DAY = "2025-06-02"


def all_labels():
    for kind in EVENT_TYPES:
        for value in LABEL_VALUES.get(kind, ("",)):
            yield f"{kind}:{value}" if value else kind


def state_at(stage):
    if isinstance(stage, A):
        # The one guarded assessment row needs the plan to have ceased.
        review = R.CEASED if stage is A.PLAN_ISSUED else R.NO_PLAN
        return CaseState(assessment=stage, review=review)
    return CaseState(review=stage)


# --- the tables --------------------------------------------------------------------------


def test_every_event_label_is_in_a_process_table_or_neutral():
    vocab = {lbl for table in PROCESSES.values() for _, lbl in table}
    for lbl in all_labels():
        assert (lbl in vocab) != (lbl.split(":")[0] in NEUTRAL), lbl


@pytest.mark.parametrize(("row", "target"), list(TRANSITIONS.items()),
                         ids=[f"{s.value}--{lbl}" for s, lbl in TRANSITIONS])
def test_each_transition_row_moves_its_process_to_the_target_stage(row, target):
    stage, lbl = row
    after = apply(state_at(stage), make(lbl, DAY))
    assert after.stage("assessment" if isinstance(stage, A) else "review") is target
    since = after.assessment_since if isinstance(stage, A) else after.review_since
    assert since == dt.date.fromisoformat(DAY)


def _missing_rows():
    for process, table in PROCESSES.items():
        stages = A if process == "assessment" else R
        vocab = sorted({lbl for _, lbl in table})
        for stage in stages:
            for lbl in vocab:
                if (stage, lbl) not in table:
                    yield stage, lbl


@pytest.mark.parametrize(("stage", "lbl"), list(_missing_rows()),
                         ids=[f"{s.value}--{lbl}" for s, lbl in _missing_rows()])
def test_every_event_without_a_row_is_refused_naming_the_event_and_stage(stage, lbl):
    with pytest.raises(IllegalTransition) as caught:
        apply(state_at(stage), make(lbl, DAY))
    assert caught.value.stage == stage.value
    assert caught.value.event_type == lbl.split(":")[0]
    assert caught.value.reason.startswith(f"{lbl} on {DAY}: ")


def test_neutral_events_never_move_a_stage():
    for kind in sorted(NEUTRAL - {"event_withdrawn"}):
        for stage in (s for s in (*A, *R) if s.value != "closed"):
            before = state_at(stage)
            after = apply(before, make(kind, DAY))
            assert (after.assessment, after.review) == (before.assessment, before.review)


def test_first_events_are_exactly_the_rows_leaving_the_initial_stages():
    assert FIRST_EVENTS["assessment"] == {lbl for s, lbl in ASSESSMENT if s is A.NOT_STARTED}
    assert FIRST_EVENTS["review"] == {lbl for s, lbl in REVIEW if s is R.NO_PLAN}
    for process, first in FIRST_EVENTS.items():
        for lbl in first:
            replay([make(lbl, DAY)])  # accepted as the whole history
        assert "request_received" in first or process == "review"
    assert {"draft_plan_served", "final_plan_issued", "decision_to_assess_notified:assess"} <= (
        FIRST_EVENTS["assessment"]
    )
    assert {"plan_last_reviewed", "review_meeting_held", "amendment_notice_served"} <= (
        FIRST_EVENTS["review"]
    )


def test_label_qualifies_only_outcome_events():
    assert label(make("decision_to_assess_notified", DAY, outcome="refuse")) == (
        "decision_to_assess_notified:refuse"
    )
    assert label(make("final_plan_issued", DAY)) == "final_plan_issued"


def test_mermaid_draws_every_row_of_the_process():
    text = mermaid("assessment")
    assert text.startswith("stateDiagram-v2\n    [*] --> not_started\n")
    assert "requested --> refused : decision_to_assess_notified = refuse" in text
    assert text.count(" --> ") == len(ASSESSMENT) + 1
    assert mermaid("review").count(" --> ") == len(REVIEW) + 1


# --- the processes, end to end -----------------------------------------------------------


def test_assessment_runs_from_request_to_final_plan_and_puts_a_plan_in_force():
    state = replay([
        make("request_received", "2025-01-06"),
        make("decision_to_assess_notified", "2025-02-10", outcome="assess"),
        make("advice_requested", "2025-02-11", advisor="educational_psychologist"),
        make("advice_received", "2025-03-20", advisor="educational_psychologist"),
        make("draft_plan_served", "2025-04-14"),
        make("school_consulted", "2025-04-14"),
        make("final_plan_issued", "2025-05-20"),
    ])
    assert (state.assessment, state.review) == (A.PLAN_ISSUED, R.PLAN_IN_FORCE)
    assert state.open_advice == ()


def test_a_new_request_after_a_refusal_starts_again():
    state = replay([
        make("request_received", "2024-01-08"),
        make("decision_to_assess_notified", "2024-02-12", outcome="refuse"),
        make("request_received", "2025-01-06"),
        make("decision_to_assess_notified", "2025-02-10", outcome="assess"),
    ])
    assert state.assessment is A.ASSESSING
    assert state.assessment_since == dt.date(2025, 2, 10)


def test_a_new_request_after_a_decision_not_to_issue_starts_again():
    state = replay([
        make("request_received", "2024-01-08"),
        make("decision_not_to_issue_notified", "2024-04-12"),
        make("request_received", "2025-01-06"),
    ])
    assert state.assessment is A.REQUESTED


def test_annual_review_with_amendment_returns_the_plan_to_force():
    state = replay([
        make("final_plan_issued", "2024-05-20"),
        make("review_meeting_held", "2025-04-01"),
        make("review_decision_notified", "2025-04-20", outcome="amend"),
        make("amendment_notice_served", "2025-04-20"),
        make("amended_plan_issued", "2025-06-10"),
    ])
    assert state.review is R.PLAN_IN_FORCE
    assert state.review_since == dt.date(2025, 6, 10)


def test_a_reassessment_allows_a_second_final_plan():
    state = replay([
        make("request_received", "2023-01-09"),
        make("final_plan_issued", "2023-05-22"),
        make("reassessment_request_received", "2024-09-02"),
        make("reassessment_decision_notified", "2024-09-16", outcome="reassess"),
        make("draft_plan_served", "2024-11-20"),
        make("final_plan_issued", "2024-12-16"),
    ])
    assert (state.assessment, state.review) == (A.PLAN_ISSUED, R.PLAN_IN_FORCE)


def test_a_tribunal_order_to_make_a_plan_reopens_a_decision_not_to_issue():
    state = replay([
        make("request_received", "2024-01-08"),
        make("decision_not_to_issue_notified", "2024-04-12"),
        make("decision_letter_sent", "2024-04-12", decision="refuse_to_issue"),
        make("appeal_registered", "2024-06-01"),
        make("tribunal_order", "2024-11-01", order="make_and_maintain_plan"),
        make("draft_plan_served", "2024-12-01"),
        make("final_plan_issued", "2025-01-10"),
    ])
    assert state.assessment is A.PLAN_ISSUED


def test_a_plan_restored_by_the_tribunal_can_be_reviewed_again():
    state = replay([
        make("review_meeting_held", "2025-01-10"),
        make("review_decision_notified", "2025-02-01", outcome="cease"),
        make("tribunal_order", "2025-07-01", order="continue_to_maintain"),
        make("review_meeting_held", "2025-12-01"),
    ])
    assert state.review is R.MEETING_HELD


def test_a_new_request_is_allowed_once_the_plan_has_ceased():
    state = replay([
        make("final_plan_issued", "2022-05-20"),
        make("review_meeting_held", "2023-04-01"),
        make("review_decision_notified", "2023-04-20", outcome="cease"),
        make("request_received", "2025-01-06"),
    ])
    assert (state.assessment, state.review) == (A.REQUESTED, R.CEASED)


def test_phase_transfers_only_set_expectations():
    state = replay([
        make("final_plan_issued", "2024-05-20"),
        make("phase_transfer_expected", "2026-09-01"),
    ])
    assert state.review is R.PLAN_IN_FORCE
    assert state.expected_transfers == ((dt.date(2026, 9, 1), "secondary", "post16_institution"),)


def test_open_advice_requests_are_tracked_until_answered():
    state = replay([
        make("advice_requested", "2025-02-11", advisor="educational_psychologist"),
        make("advice_requested", "2025-02-12", advisor="health_icb", received_on="2025-02-13"),
        make("advice_received", "2025-03-01", advisor="educational_psychologist"),
    ])
    assert state.open_advice == (OpenAdvice(dt.date(2025, 2, 13), "health_icb", None),)


def test_withdrawn_and_superseded_events_do_not_count_in_replay():
    state = replay([
        make("request_received", "2025-01-06"),
        make("decision_to_assess_notified", "2025-02-10", outcome="refuse", id="d1"),
        make("decision_to_assess_notified", "2025-02-10", outcome="assess", supersedes="d1"),
        make("final_plan_issued", "2025-05-20", id="f1"),
        make("event_withdrawn", "2025-05-21", withdraws="f1", reason="wrong child"),
    ])
    assert state.assessment is A.ASSESSING


# --- refusals with their reasons ---------------------------------------------------------


def refused(events):
    with pytest.raises(IllegalTransition) as caught:
        replay(events)
    return caught.value


def test_a_decision_to_assess_recorded_twice_is_refused():
    err = refused([
        make("request_received", "2025-01-06"),
        make("decision_to_assess_notified", "2025-02-10", outcome="assess"),
        make("decision_to_assess_notified", "2025-02-14", outcome="refuse"),
    ])
    assert err.index == 2
    assert err.stage == "assessing"
    assert err.reason == (
        "decision_to_assess_notified:refuse on 2025-02-14: the decision whether to assess is "
        "already on file (assessment under way since 2025-02-10); a decision cannot be "
        "recorded twice, and a new one needs a new request_received"
    )


def test_a_second_final_plan_for_the_same_request_is_refused():
    err = refused([
        make("request_received", "2025-01-06"),
        make("final_plan_issued", "2025-05-20"),
        make("final_plan_issued", "2025-06-02"),
    ])
    assert err.reason == (
        "final_plan_issued on 2025-06-02: a final plan was already issued on 2025-05-20 for "
        "the request received on 2025-01-06; another plan needs a re-assessment or tribunal "
        "order on file first"
    )


def test_a_new_request_while_one_is_open_is_refused():
    err = refused([make("request_received", "2025-01-06"), make("request_received", "2025-01-20")])
    assert err.reason == (
        "request_received on 2025-01-20: not possible at this point: request received, "
        "decision whether to assess pending since 2025-01-06"
    )


def test_a_new_request_while_a_plan_is_in_force_is_refused():
    err = refused([
        make("final_plan_issued", "2024-05-20"), make("request_received", "2025-01-06"),
    ])
    assert "a plan is in force (final plan issued on 2024-05-20)" in err.reason
    assert "reassessment_request_received" in err.reason


def test_a_second_review_decision_for_one_meeting_is_refused():
    err = refused([
        make("review_meeting_held", "2025-04-01"),
        make("review_decision_notified", "2025-04-20", outcome="amend"),
        make("review_decision_notified", "2025-04-25", outcome="maintain"),
    ])
    assert err.reason == (
        "review_decision_notified:maintain on 2025-04-25: a review decision is already on "
        "file (the LA decided to amend, notice of proposed amendments pending since "
        "2025-04-20); record the next review_meeting_held first"
    )


def test_a_review_decision_with_no_meeting_since_the_last_is_refused_when_meetings_are_recorded():
    err = refused([
        make("review_meeting_held", "2024-04-01"),
        make("review_decision_notified", "2024-04-20", outcome="maintain"),
        make("review_decision_notified", "2025-04-20", outcome="maintain"),
    ])
    assert "no review meeting since the last one on 2024-04-01" in err.reason


def test_review_decisions_alone_are_accepted_when_the_history_records_no_meetings():
    state = replay([
        make("final_plan_issued", "2023-05-20"),
        make("review_decision_notified", "2024-04-20", outcome="maintain"),
        make("review_decision_notified", "2025-04-20", outcome="maintain"),
    ])
    assert state.review is R.PLAN_IN_FORCE


def test_deciding_to_maintain_after_serving_proposed_amendments_is_refused():
    err = refused([
        make("review_meeting_held", "2025-04-01"),
        make("amendment_notice_served", "2025-04-20"),
        make("review_decision_notified", "2025-04-21", outcome="maintain"),
    ])
    assert err.reason.startswith(
        "review_decision_notified:maintain on 2025-04-21: an amendment notice was served on "
        "2025-04-20 proposing amendments, which a decision to maintain contradicts"
    )


def test_amend_decision_after_its_notice_is_accepted_once_and_refused_twice():
    events = [
        make("review_meeting_held", "2025-04-01"),
        make("amendment_notice_served", "2025-04-20"),
        make("review_decision_notified", "2025-04-21", outcome="amend"),
    ]
    assert replay(events).review is R.NOTICE_SERVED
    err = refused([*events, make("review_decision_notified", "2025-04-22", outcome="amend")])
    assert "was already notified on 2025-04-21" in err.reason


def test_a_review_meeting_after_the_plan_ceased_is_refused():
    err = refused([
        make("review_meeting_held", "2025-01-10"),
        make("review_decision_notified", "2025-02-01", outcome="cease"),
        make("review_meeting_held", "2025-12-01"),
    ])
    assert err.stage == "ceased"
    assert "the LA decided on 2025-02-01 to cease the plan" in err.reason


def test_a_second_amended_plan_with_no_new_notice_is_refused():
    err = refused([
        make("amendment_notice_served", "2025-04-20"),
        make("amended_plan_issued", "2025-06-10"),
        make("amended_plan_issued", "2025-07-10"),
    ])
    assert "the last one, served on 2025-04-20, was already concluded" in err.reason


def test_advice_received_twice_is_refused():
    err = refused([
        make("advice_requested", "2025-02-11", advisor="educational_psychologist"),
        make("advice_received", "2025-03-01", advisor="educational_psychologist"),
        make("advice_received", "2025-03-05", advisor="educational_psychologist"),
    ])
    assert err.index == 2
    assert err.reason == (
        "advice_received on 2025-03-05: no open advice request for adviser "
        "'educational_psychologist' (open requests: none)"
    )


def test_advice_from_an_adviser_never_asked_is_refused_when_requests_are_recorded():
    err = refused([
        make("advice_requested", "2025-02-11", advisor="health_icb"),
        make("advice_received", "2025-03-01", advisor="social_care"),
    ])
    assert "(open requests: health_icb requested 2025-02-11)" in err.reason


def test_guards_only_guard_rows_that_exist():
    assert set(GUARDS) <= set(TRANSITIONS)


# --- properties --------------------------------------------------------------------------

_CHOICES = sorted(all_labels())


@st.composite
def valid_histories(draw):
    """A random walk through the tables: each step an event the history so far accepts
    (replayed, so same-day events are judged in the order replay takes them)."""
    events = []
    day = dt.date(2024, 1, 1)
    for _ in range(draw(st.integers(1, 25))):
        day += dt.timedelta(days=draw(st.integers(0, 40)))
        lbl = draw(st.sampled_from(_CHOICES))
        if lbl == "event_withdrawn":
            continue
        event = make(lbl, day, advisor="educational_psychologist") if lbl.startswith(
            "advice_") else make(lbl, day)
        try:
            replay([*events, event])
        except IllegalTransition:
            continue
        events.append(event)
    return events


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(valid_histories())
def test_replaying_a_history_twice_gives_the_same_state(events):
    assume(events)
    assert replay(events) == replay(list(events))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(valid_histories(), st.randoms(use_true_random=False))
def test_shuffling_the_log_order_of_a_valid_history_gives_the_same_state(events, rnd):
    expected = replay(events)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert replay(shuffled) == expected


def test_the_documented_diagrams_match_the_tables():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "state-machines.md").read_text()
    assert f"```mermaid\n{mermaid('assessment')}```" in doc
    assert f"```mermaid\n{mermaid('review')}```" in doc


def test_a_closed_case_refuses_every_further_event_and_says_how_to_reopen():
    closed = apply(CaseState(), make("case_closed", DAY))
    assert (closed.assessment.value, closed.review.value) == ("closed", "closed")
    for kind in sorted(NEUTRAL - {"event_withdrawn"}) + ["request_received"]:
        with pytest.raises(IllegalTransition, match="closed on .*withdraw the closing event"):
            apply(closed, make(kind, DAY))
