"""The escalation ladder and decide_escalations, judged on explicit dates (no clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars import load_calendar
from engine.deadlines import project_deadlines
from engine.escalation import (
    LADDER,
    CaseDeadline,
    InvalidLadder,
    Role,
    Track,
    decide_escalations,
    parse_ladder,
    track_of,
)
from engine.events import parse_events
from engine.status import Deadline

CAL = load_calendar(None)
D = dt.date.fromisoformat


def limit(due: str | None, *, nominal: str | None = None, statutory=True, met_on=None, **kw):
    nominal_date = D(nominal or due or "2026-06-01")
    return Deadline(
        key=kw.pop("key", "final_plan_due"), instance=kw.pop("instance", ""),
        rule=kw.pop("rule", "R06"), kind=kw.pop("kind", "limit"), statutory=statutory,
        nominal=nominal_date, due=D(due) if due else None, trigger="request_received",
        trigger_date=nominal_date - dt.timedelta(weeks=20), citation="SEND Regs 2014 reg 13(2)",
        explanation="", met_on=D(met_on) if met_on else None, **kw,
    )


def decide(deadline, as_of, already=(), ladder=LADDER):
    return decide_escalations(
        [CaseDeadline("EHC-1", deadline)], D(as_of), CAL, ladder, frozenset(already)
    )


def levels(escalations):
    return [e.level for e in escalations]


# Due Fri 19 Jun 2026: 10 working days before is Fri 5 Jun, 5 before is Fri 12 Jun.
DUE = limit("2026-06-19")


def test_first_reminder_goes_to_the_caseworker_10_working_days_before_the_deadline():
    assert decide(DUE, "2026-06-04") == []
    [esc] = decide(DUE, "2026-06-05")
    assert (esc.level, esc.roles) == ("reminder_10", (Role.CASEWORKER,))
    assert esc.fires_on == D("2026-06-05")
    assert esc.key == ("EHC-1", "final_plan_due", "", "reminder_10")


def test_second_reminder_at_5_working_days_once_the_first_was_sent():
    already = {("EHC-1", "final_plan_due", "", "reminder_10")}
    assert decide(DUE, "2026-06-11", already) == []
    assert levels(decide(DUE, "2026-06-12", already)) == ["reminder_5"]


def test_a_reminder_skipped_by_missed_nights_is_superseded_by_the_nearer_one():
    assert levels(decide(DUE, "2026-06-15")) == ["reminder_5"]


def test_reminders_count_working_days_around_bank_holidays():
    # Due Fri 17 Apr 2026: Good Friday 3 Apr and Easter Monday 6 Apr are not working days,
    # so the 10th working day before is Wed 1 Apr, not Fri 3 Apr.
    due = limit("2026-04-17")
    assert decide(due, "2026-03-31") == []
    assert levels(decide(due, "2026-04-01")) == ["reminder_10"]


def test_no_breach_on_the_due_day_itself_because_acting_on_the_last_day_is_in_time():
    already = {("EHC-1", "final_plan_due", "", lv) for lv in ("reminder_10", "reminder_5")}
    assert decide(DUE, "2026-06-19", already) == []


def test_breach_the_day_after_the_due_date_tells_caseworker_and_team_manager():
    [esc] = decide(DUE, "2026-06-20", {("EHC-1", "final_plan_due", "", "reminder_5")})
    assert esc.level == "breach"
    assert esc.roles == (Role.CASEWORKER, Role.TEAM_MANAGER)
    assert (esc.fires_on, esc.days_late) == (D("2026-06-20"), 1)


def test_reminders_lapse_once_the_deadline_is_missed():
    assert levels(decide(DUE, "2026-06-22")) == ["breach"]


def test_head_of_service_hears_when_the_breach_is_10_working_days_old():
    # Breach starts Sat 20 Jun; its 10th working day after is Fri 3 Jul.
    already = {("EHC-1", "final_plan_due", "", "breach")}
    assert decide(DUE, "2026-07-02", already) == []
    [esc] = decide(DUE, "2026-07-03", already)
    assert (esc.level, esc.roles, esc.days_late) == ("breach_10", (Role.HEAD_OF_SERVICE,), 14)


def test_a_breach_first_seen_late_catches_up_every_breach_level():
    assert levels(decide(DUE, "2026-09-01")) == ["breach", "breach_10"]


def test_a_deadline_met_on_or_before_the_day_escalates_nothing():
    assert decide(replace(DUE, met_on=D("2026-06-19")), "2026-07-10") == []
    assert decide(replace(DUE, met_on=D("2026-06-25")), "2026-07-10") == []


def test_a_night_judged_before_the_deadline_was_met_still_escalates():
    assert levels(decide(replace(DUE, met_on=D("2026-06-25")), "2026-06-22")) == ["breach"]


def test_advisory_dates_only_ever_reach_the_caseworker():
    advisory = limit("2026-06-19", statutory=False, key="advisory_under5_review_3_months")
    assert levels(decide(advisory, "2026-06-05")) == []
    assert levels(decide(advisory, "2026-06-12")) == ["advisory_reminder_5"]
    late = decide(advisory, "2026-09-01")
    assert levels(late) == ["advisory_missed"]
    assert all(e.roles == (Role.CASEWORKER,) for e in late)


def test_an_advisory_window_acted_inside_reaches_only_the_caseworker():
    window = limit(None, nominal="2026-06-19", kind="window", statutory=False,
                   premature_on=D("2026-06-10"))
    [esc] = decide(window, "2026-06-11")
    assert (esc.level, esc.roles) == ("premature", (Role.CASEWORKER,))


def test_a_disapplied_limit_gets_an_as_soon_as_practicable_reminder_never_a_breach():
    disapplied = limit(None, nominal="2026-06-19", exception="reg13_3_c")
    assert decide(disapplied, "2026-06-19") == []
    [esc] = decide(disapplied, "2026-06-20")
    assert (esc.level, esc.track, esc.roles) == (
        "as_soon_as_practicable", Track.DISAPPLIED, (Role.CASEWORKER,)
    )
    assert esc.days_late is None
    assert levels(decide(disapplied, "2027-01-01")) == ["as_soon_as_practicable"]


def test_a_statutory_window_escalates_only_when_acted_inside():
    window = limit(None, nominal="2026-06-19", key="draft_representations_end", rule="R04",
                   kind="window")
    assert decide(window, "2026-06-30") == []
    premature = replace(window, premature_on=D("2026-06-12"))
    assert decide(premature, "2026-06-11") == []
    [esc] = decide(premature, "2026-06-12")
    assert (esc.level, esc.roles) == ("premature", (Role.CASEWORKER, Role.TEAM_MANAGER))


def test_computed_dates_never_escalate():
    deemed = limit(None, nominal="2026-06-19", key="draft_deemed_served", kind="date")
    assert track_of(deemed, D("2026-07-01")) is None
    assert decide(deemed, "2026-07-01") == []


def test_already_decided_escalations_are_not_proposed_again():
    done = {e.key for e in decide(DUE, "2026-09-01")}
    assert decide(DUE, "2026-09-02", done) == []


def test_instances_of_repeated_clocks_escalate_separately():
    a = limit("2026-06-19", key="advice_due", rule="R02", instance="ep-1")
    b = replace(a, instance="health-1")
    found = decide_escalations(
        [CaseDeadline("EHC-1", a), CaseDeadline("EHC-1", b)], D("2026-06-20"), CAL
    )
    assert {e.key for e in found} == {
        ("EHC-1", "advice_due", "ep-1", "breach"), ("EHC-1", "advice_due", "health-1", "breach")
    }


def test_a_local_authority_ladder_can_add_an_earlier_reminder():
    rows = [
        {"level": "reminder_15", "track": "statutory", "when": "before", "working_days": 15,
         "roles": ["caseworker"]},
        {"level": "breach", "track": "statutory", "when": "breach", "working_days": 0,
         "roles": ["caseworker", "team_manager", "head_of_service"]},
    ]
    ladder = parse_ladder(rows)
    # 15 working days before Fri 19 Jun 2026 is Fri 29 May.
    assert levels(decide(DUE, "2026-05-28", ladder=ladder)) == []
    assert levels(decide(DUE, "2026-05-29", ladder=ladder)) == ["reminder_15"]
    [esc] = decide(DUE, "2026-06-20", ladder=ladder)
    assert esc.roles == (Role.CASEWORKER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE)


def test_the_default_ladder_round_trips_through_configuration():
    rows = [
        {"level": r.level, "track": str(r.track), "when": r.when,
         "working_days": r.working_days, "roles": [str(x) for x in r.roles], "why": r.why}
        for r in LADDER
    ]
    assert parse_ladder(rows) == LADDER


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"track": "advisory", "when": "breach", "working_days": 0,
          "roles": ["team_manager"]}, "advisory dates only ever go to the caseworker"),
        ({"track": "disapplied", "when": "before", "working_days": 5,
          "roles": ["caseworker"]}, "no due date to remind before"),
        ({"track": "statutory", "when": "later", "working_days": 5,
          "roles": ["caseworker"]}, "'when' must be 'before' or 'breach'"),
        ({"track": "statutory", "when": "breach", "working_days": 0,
          "roles": ["director"]}, "'director' is not a valid Role"),
        ({"track": "statutory", "when": "before", "working_days": 0,
          "roles": ["caseworker"]}, "at least 1 working day"),
        ({"track": "statutory", "when": "breach", "roles": ["caseworker"]},
         "missing 'working_days'"),
    ],
)
def test_an_unusable_ladder_row_is_refused_with_its_reason(row, message):
    with pytest.raises(InvalidLadder, match=message) as info:
        parse_ladder([{"level": "x", **row}])
    assert "ladder row 1" in str(info.value)


def test_a_ladder_with_a_repeated_level_is_refused():
    row = {"level": "breach", "track": "statutory", "when": "breach", "working_days": 0,
           "roles": ["caseworker"]}
    with pytest.raises(InvalidLadder, match="repeated: breach"):
        parse_ladder([row, row])


@settings(max_examples=60, deadline=None)
@given(
    due_offset=st.integers(min_value=0, max_value=60),
    skipped=st.sets(st.integers(min_value=0, max_value=89), max_size=60),
)
def test_any_pattern_of_skipped_nights_decides_each_level_once_and_loses_no_breach(
    due_offset, skipped
):
    deadline = limit((D("2026-01-05") + dt.timedelta(days=due_offset)).isoformat())
    nights = [D("2026-01-05") + dt.timedelta(days=i) for i in range(90)]
    run_on = [n for i, n in enumerate(nights) if i not in skipped] + [nights[-1]]
    decided: dict[tuple[str, str, str, str], dt.date] = {}
    for night in run_on:
        for esc in decide_escalations([CaseDeadline("EHC-1", deadline)], night, CAL,
                                      already_decided=frozenset(decided)):
            assert esc.key not in decided
            assert esc.fires_on <= night
            if esc.when == "before":
                assert night <= deadline.due
            decided[esc.key] = night
    assert {"breach", "breach_10"} <= {key[3] for key in decided}
    assert len([k for k in decided if k[3].startswith("reminder")]) <= 2


def test_a_parents_appeal_window_running_out_unused_escalates_to_nobody():
    """R21/R26 are the parent's time: the council must let them run; never its breach."""
    history = parse_events([
        {"type": "decision_letter_sent", "date": "2025-03-03", "decision": "refuse_to_assess"},
    ])
    deadlines = project_deadlines(history, CAL)
    assert {d.key for d in deadlines} >= {"appeal_deadline", "mediation_adviser_contact_due"}
    cases = [CaseDeadline("EHC-1", d) for d in deadlines]
    assert decide_escalations(cases, D("2025-12-01"), CAL) == []


def test_a_mediation_advisers_late_certificate_goes_to_the_caseworker_only():
    history = parse_events([
        {"type": "decision_letter_sent", "date": "2025-03-03", "decision": "refuse_to_assess"},
        {"type": "mediation_declined", "date": "2025-03-10"},
    ])
    cases = [CaseDeadline("EHC-1", d) for d in project_deadlines(history, CAL)]
    decided = decide_escalations(cases, D("2025-06-01"), CAL)
    assert decided, "the caseworker should still hear of it"
    assert {role for e in decided for role in e.roles} == {Role.CASEWORKER}


def _late_amendment(notice: str):
    return parse_events([
        {"type": "final_plan_issued", "date": "2025-01-10"},
        {"type": "review_meeting_held", "date": "2025-09-01"},
        {"type": "review_decision_notified", "date": "2025-09-20", "outcome": "amend"},
        {"type": "amendment_notice_served", "date": notice},
    ])


@pytest.mark.parametrize(
    ("notice", "speaker"),
    [
        # On time: reg 22 date (A + 56) = combined date; the Devon backstop is later.
        ("2025-09-20", "amended_plan_final_due"),
        # Late (after M + 28): the combined date is the Devon backstop (M + 84).
        ("2025-10-20", "amended_plan_devon_backstop"),
    ],
)
def test_R12c_one_duty_on_one_date_is_escalated_once_not_per_key(notice, speaker):
    cases = [CaseDeadline("EHC-1", d) for d in project_deadlines(_late_amendment(notice), CAL)]
    decided = decide_escalations(cases, D("2026-03-01"), CAL)
    r12c = [e for e in decided if e.rule == "R12c"]
    by_due: dict = {}
    for e in r12c:
        by_due.setdefault((e.due, e.level), set()).add(e.deadline_key)
    assert all(len(keys) == 1 for keys in by_due.values()), by_due
    assert any(speaker in keys for keys in by_due.values())


def test_two_advisers_asked_the_same_day_are_each_chased():
    history = parse_events([
        {"type": "request_received", "date": "2025-01-06"},
        {"type": "decision_to_assess_notified", "date": "2025-01-20", "outcome": "assess"},
        {"type": "advice_requested", "date": "2025-01-21", "advisor": "educational_psychologist",
         "advice_id": "ep"},
        {"type": "advice_requested", "date": "2025-01-21", "advisor": "health_icb",
         "advice_id": "icb"},
    ])
    cases = [CaseDeadline("EHC-1", d) for d in project_deadlines(history, CAL)]
    decided = decide_escalations(cases, D("2025-03-10"), CAL)
    advice_breaches = {e.instance for e in decided
                       if e.deadline_key == "advice_due" and e.level == "breach"}
    assert advice_breaches == {"ep", "icb"}
