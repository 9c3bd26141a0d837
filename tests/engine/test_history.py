"""Corrections (id / supersedes / event_withdrawn) and impossible orders (engine.history)."""

from __future__ import annotations

import datetime as dt

import pytest
from event_samples import make

from engine.errors import IllegalTransition, InvalidHistory
from engine.history import ORDER, check_order, effective_history
from engine.stages import check_history

D = dt.date.fromisoformat


def kinds(pairs):
    return [(i, e.type) for i, e in pairs]


# --- corrections -------------------------------------------------------------------------


def test_withdrawn_event_and_the_withdrawal_drop_out_of_the_effective_history():
    log = [
        make("request_received", "2025-01-06", id="r1"),
        make("request_received", "2025-01-07", id="r2"),
        make("event_withdrawn", "2025-01-08", withdraws="r2", reason="duplicate"),
    ]
    assert kinds(effective_history(log)) == [(0, "request_received")]


def test_superseded_event_is_replaced_by_its_correction_which_keeps_its_own_index():
    log = [
        make("request_received", "2025-01-16", id="r1"),
        make("request_received", "2025-01-06", id="r1b", supersedes="r1"),
    ]
    history = effective_history(log)
    assert [(i, e.date) for i, e in history] == [(1, D("2025-01-06"))]


def test_withdrawing_a_correction_brings_back_the_original():
    log = [
        make("request_received", "2025-01-16", id="r1"),
        make("request_received", "2025-01-06", id="r1b", supersedes="r1"),
        make("event_withdrawn", "2025-02-01", withdraws="r1b", reason="the first date was right"),
    ]
    assert [(i, e.date) for i, e in effective_history(log)] == [(0, D("2025-01-16"))]


def test_a_chain_of_corrections_leaves_only_the_last():
    log = [
        make("final_plan_issued", "2025-05-01", id="a"),
        make("final_plan_issued", "2025-05-02", id="b", supersedes="a"),
        make("final_plan_issued", "2025-05-03", id="c", supersedes="b"),
    ]
    assert [(i, e.date) for i, e in effective_history(log)] == [(2, D("2025-05-03"))]


def test_effective_history_is_in_date_order_with_log_positions():
    log = [
        make("final_plan_issued", "2025-05-26"),
        make("request_received", "2025-01-06"),
        make("draft_plan_served", "2025-04-01"),
    ]
    assert kinds(effective_history(log)) == [
        (1, "request_received"), (2, "draft_plan_served"), (0, "final_plan_issued"),
    ]


def test_same_day_events_are_taken_in_process_order_not_typing_order():
    log = [
        make("decision_to_assess_notified", "2025-01-06", outcome="refuse"),
        make("request_received", "2025-01-06"),
    ]
    assert kinds(effective_history(log)) == [
        (1, "request_received"), (0, "decision_to_assess_notified"),
    ]
    check_history(log)


@pytest.mark.parametrize(
    ("log", "index", "reason"),
    [
        (
            [make("request_received", "2025-01-06", id="r1"),
             make("final_plan_issued", "2025-05-01", id="r1")],
            1, "final_plan_issued reuses id 'r1' of event #1",
        ),
        (
            [make("request_received", "2025-01-06", id="r1"),
             make("event_withdrawn", "2025-01-07", withdraws="nope", reason="x")],
            1, "event_withdrawn withdraws 'nope', but no event has that id",
        ),
        (
            [make("request_received", "2025-01-06", id="r1"),
             make("request_received", "2025-01-07", supersedes="r9")],
            1, "request_received supersedes 'r9', but no event has that id",
        ),
        (
            [make("request_received", "2025-01-06", id="r1"),
             make("event_withdrawn", "2025-01-07", id="w1", withdraws="r1", reason="x"),
             make("event_withdrawn", "2025-01-08", withdraws="w1", reason="undo")],
            2, "event_withdrawn withdraws 'w1', which is itself a withdrawal; a withdrawal is "
               "final (record the event again instead)",
        ),
        (
            [make("request_received", "2025-01-06", id="r1"),
             make("event_withdrawn", "2025-01-07", withdraws="r1", reason="x"),
             make("event_withdrawn", "2025-01-08", withdraws="r1", reason="again")],
            2, "event_withdrawn withdraws 'r1', already withdrawn by event #2",
        ),
        (
            [make("request_received", "2025-01-06", id="r1"),
             make("request_received", "2025-01-07", supersedes="r1"),
             make("request_received", "2025-01-08", supersedes="r1")],
            2, "request_received supersedes 'r1', already superseded by event #2",
        ),
        (
            [make("request_received", "2025-01-06", id="r1", supersedes="r1")],
            0, "request_received supersedes itself ('r1')",
        ),
    ],
    ids=["duplicate-id", "withdraw-unknown", "supersede-unknown", "withdraw-withdrawal",
         "withdraw-twice", "supersede-twice", "supersede-self"],
)
def test_corrections_that_do_not_resolve_are_refused_at_the_offending_event(log, index, reason):
    with pytest.raises(InvalidHistory) as caught:
        effective_history(log)
    assert caught.value.reason == reason
    assert caught.value.index == index


# --- order -------------------------------------------------------------------------------


def test_final_plan_before_its_request_names_both_events_and_dates():
    log = [make("request_received", "2025-02-01"), make("final_plan_issued", "2025-01-01")]
    with pytest.raises(InvalidHistory) as caught:
        check_history(log)
    assert caught.value.reason.startswith(
        "final_plan_issued on 2025-01-01 is dated before request_received on 2025-02-01"
    )
    assert caught.value.index == 1
    assert str(caught.value).startswith("event #2: final_plan_issued on 2025-01-01")


@pytest.mark.parametrize("rule", ORDER, ids=lambda r: f"{r.event}-after-{r.anchors[0]}")
def test_each_order_rule_refuses_the_event_dated_before_its_anchor(rule):
    anchor = rule.anchors[0]
    log = [make(anchor, "2025-03-10"), make(rule.event, "2025-03-09")]
    with pytest.raises(InvalidHistory) as caught:
        check_order(effective_history(log))
    assert caught.value.reason == (
        f"{rule.event} on 2025-03-09 is dated before {anchor} on 2025-03-10: {rule.why}"
    )
    assert caught.value.index == 1


@pytest.mark.parametrize("rule", ORDER, ids=lambda r: f"{r.event}-after-{r.anchors[0]}")
def test_each_order_rule_accepts_the_event_on_or_after_its_anchor(rule):
    anchor = rule.anchors[0]
    check_order(effective_history([make(anchor, "2025-03-10"), make(rule.event, "2025-03-10")]))
    check_order(effective_history([make(anchor, "2025-03-10"), make(rule.event, "2025-04-10")]))


@pytest.mark.parametrize("rule", ORDER, ids=lambda r: f"{r.event}-alone")
def test_order_is_only_checked_between_events_that_are_present(rule):
    check_order(effective_history([make(rule.event, "2025-03-09")]))


def test_order_is_checked_against_the_earliest_anchor_so_a_later_request_does_not_refuse():
    log = [
        make("request_received", "2024-01-08"),
        make("decision_to_assess_notified", "2024-02-12", outcome="refuse"),
        make("request_received", "2025-01-06"),
    ]
    check_history(log)


def test_advice_pairs_with_its_own_request_by_advice_id():
    log = [
        make("advice_requested", "2025-02-03", advisor="health_icb", advice_id="a1"),
        make("advice_requested", "2025-03-03", advisor="health_icb", advice_id="a2"),
        make("advice_received", "2025-02-20", advice_id="a2", advisor=None),
    ]
    with pytest.raises(InvalidHistory) as caught:
        check_history(log)
    assert caught.value.reason.startswith(
        "advice_received on 2025-02-20 is dated before advice_requested on 2025-03-03"
    )
    assert caught.value.index == 2


def test_advice_pairs_with_its_request_by_adviser_when_no_advice_id():
    log = [
        make("advice_requested", "2025-02-03", advisor="health_icb"),
        make("advice_requested", "2025-03-03", advisor="educational_psychologist"),
        make("advice_received", "2025-02-20", advisor="educational_psychologist"),
    ]
    with pytest.raises(InvalidHistory, match="dated before advice_requested on 2025-03-03"):
        check_history(log)


def test_withdrawn_event_is_not_checked_for_order():
    log = [
        make("request_received", "2025-02-01"),
        make("final_plan_issued", "2025-01-01", id="typo"),
        make("event_withdrawn", "2025-02-02", withdraws="typo", reason="wrong case"),
    ]
    check_history(log)


def test_a_correction_fixes_an_impossible_date():
    log = [
        make("request_received", "2025-02-01"),
        make("final_plan_issued", "2025-01-01", id="f"),
        make("final_plan_issued", "2025-06-01", supersedes="f"),
    ]
    check_history(log)


# --- partial histories -------------------------------------------------------------------


@pytest.mark.parametrize(
    "log",
    [
        [make("draft_plan_served", "2025-04-01"), make("final_plan_issued", "2025-05-01")],
        [make("plan_last_reviewed", "2024-11-20"), make("review_meeting_held", "2025-10-01"),
         make("review_decision_notified", "2025-10-20", outcome="maintain")],
        [make("review_decision_notified", "2025-03-01", outcome="amend"),
         make("amendment_notice_served", "2025-03-01"), make("amended_plan_issued", "2025-04-20")],
        [make("request_received", "2025-01-06"), make("final_plan_issued", "2025-05-20")],
        [make("advice_received", "2025-03-01")],
        [make("amended_plan_issued", "2025-04-20")],
        [make("plan_transferred", "2025-09-01", move_date="2025-09-01"),
         make("new_la_notified", "2025-10-01")],
    ],
    ids=["draft-first", "last-review-first", "amend-decision-first", "request-and-final-only",
         "advice-only", "amended-plan-only", "transfer-in"],
)
def test_histories_that_start_part_way_are_accepted(log):
    check_history(log)


def test_check_history_reports_an_illegal_transition_at_its_log_position():
    log = [
        make("final_plan_issued", "2025-05-01"),
        make("request_received", "2025-01-06"),
        make("final_plan_issued", "2025-05-20"),
        make("draft_plan_served", "2025-04-01"),
    ]
    with pytest.raises(IllegalTransition) as caught:
        check_history(log)
    assert caught.value.index == 2
    assert caught.value.event_type == "final_plan_issued"
