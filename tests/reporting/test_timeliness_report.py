"""The timeliness report on the hand-built caseload (tests/reporting/dataset.py), both
backends; every expected figure is worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.targets import Targets, parse_targets
from services.errors import InvalidInput, NotFound
from services.reporting import timeliness_report
from tests.reporting.dataset import HARTLEPOOL, STAFFS, load

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def caseload(staffed):
    load(staffed)
    return staffed


def report(engine, start=YEAR[0], end=YEAR[1], **kwargs):
    return timeliness_report(engine, start=start, end=end, as_of=TODAY, **kwargs)


def figure(rep, by, group, measure):
    rows = [r for r in rep.breakdowns[by] if r.group == group and r.measure == measure]
    assert len(rows) == 1, (by, group, measure, rows)
    row = rows[0]
    return row.numerator, row.denominator, row.exceptions, row.value


def test_year_figures_for_staffordshire(caseload):
    rep = report(caseload, la_code=STAFFS)
    assert rep.cases == 6
    # Decisions in 2026: A (day 42), B (49, late), C, D, E (9 Jan, for a December request).
    assert figure(rep, "total", "all", "decision_6_weeks") == (4, 5, 0, 80.0)
    # Advice: A's EP (day 49, late), A's health (on time), D's EP (late).
    n, d, _, value = figure(rep, "total", "all", "advice_6_weeks")
    assert (n, d) == (1, 3)
    assert value == pytest.approx(100 / 3)
    # Plans issued in 2026: A (day 140 exactly: on time), B (175), C (161, excepted),
    # D (147 after the correction), E (50: counted in 2026, the year issued), F (133).
    assert figure(rep, "total", "all", "plan_20_weeks_excl") == (3, 5, 1, 60.0)
    assert figure(rep, "total", "all", "plan_20_weeks_incl") == (3, 6, 0, 50.0)
    assert figure(rep, "total", "all", "plan_20_to_52_weeks") == (3, 6, 0, 50.0)  # B, C, D
    assert figure(rep, "total", "all", "plan_over_52_weeks") == (0, 6, 0, 0.0)
    n, d, _, weeks = figure(rep, "total", "all", "plan_average_weeks")
    assert d == 6
    assert weeks == pytest.approx((140 + 175 + 161 + 147 + 50 + 133) / 6 / 7)
    # No review decisions in Staffordshire: G's belongs to Hartlepool.
    assert not [r for r in rep.breakdowns["total"] if r.measure == "review_decision_4_weeks"]


def test_december_request_counts_in_the_year_its_plan_was_issued(caseload):
    rep = report(caseload, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), la_code=STAFFS)
    assert not [r for r in rep.breakdowns["total"] if r.measure == "plan_20_weeks_incl"]
    january = report(caseload, la_code=STAFFS)
    assert figure(january, "month", "2026-01", "plan_20_weeks_incl") == (1, 1, 0, 100.0)  # E


def test_adviser_and_organisation_breakdowns(caseload):
    rep = report(caseload, la_code=STAFFS)
    assert figure(rep, "adviser", "educational_psychologist", "advice_6_weeks")[:2] == (0, 2)
    assert figure(rep, "adviser", "health", "advice_6_weeks")[:2] == (1, 1)
    assert figure(rep, "organisation", "Staffs EP Service", "advice_6_weeks")[:2] == (0, 1)
    assert figure(rep, "organisation", "Staffs ICB", "advice_6_weeks")[:2] == (1, 1)
    assert figure(rep, "organisation", "not recorded", "advice_6_weeks")[:2] == (0, 1)  # D
    assert {r.measure for r in rep.breakdowns["adviser"]} == {"advice_6_weeks"}


def test_team_and_caseworker_breakdowns(caseload):
    rep = report(caseload, la_code=STAFFS)
    # North: alice (A on time, D late) and bob (B late, E on time); South: carol (F; C excepted).
    assert figure(rep, "team", "North", "plan_20_weeks_excl")[:3] == (2, 4, 0)
    assert figure(rep, "team", "South", "plan_20_weeks_excl")[:3] == (1, 1, 1)
    assert figure(rep, "caseworker", "alice", "plan_20_weeks_excl")[:2] == (1, 2)


def test_case_that_moved_counts_where_each_step_was_done(caseload):
    rep = report(caseload)
    # F's plan was Staffordshire's; G's review decision (14 days) is Hartlepool's.
    assert figure(rep, "authority", STAFFS, "plan_20_weeks_incl")[:2] == (3, 6)
    assert figure(rep, "authority", HARTLEPOOL, "review_decision_4_weeks") == (1, 1, 0, 100.0)
    assert not [r for r in rep.breakdowns["authority"]
                if r.group == HARTLEPOOL and r.measure.startswith("plan_")]


def test_late_correction_does_not_change_the_month_as_it_was_known(caseload):
    half = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    then = report(caseload, *half, la_code=STAFFS, as_at=dt.date(2026, 6, 30))
    # As known on 30 June: D's plan on 29 May (day 130) stands; B and C are still open.
    assert figure(then, "month", "2026-05", "plan_20_weeks_excl")[:2] == (2, 2)  # A, D
    assert figure(then, "total", "all", "plan_20_weeks_excl")[:2] == (4, 4)  # A, D, E, F
    now = report(caseload, *half, la_code=STAFFS)
    assert figure(now, "month", "2026-05", "plan_20_weeks_excl")[:2] == (1, 1)  # A
    assert figure(now, "month", "2026-06", "plan_20_weeks_excl")[:2] == (0, 1)  # D, late
    assert figure(now, "total", "all", "plan_20_weeks_excl")[:2] == (3, 4)


def test_open_caseload_and_breaches_as_at_a_day(caseload):
    then = report(caseload, dt.date(2026, 1, 1), dt.date(2026, 6, 30), la_code=STAFFS,
                  as_at=dt.date(2026, 6, 30))
    # On 30 June B (day 169) and C (day 148, excepted) are open, both past 20 weeks.
    assert figure(then, "total", "all", "open_assessments_past_20_weeks")[:2] == (2, 2)
    assert then.ageing[20] == 2
    assert sum(then.ageing.values()) == 2
    # Only B breaches (C's limit is disapplied); it waited on the late decision.
    assert [(b.case, b.issued_on, b.cause) for b in then.breaches] == [
        ("B", None, "late decision whether to assess")]
    # The explanation is the one written from what was known then: no later plan date.
    (breach,) = then.breaches
    assert "6 Jul" not in breach.explanation
    assert "Met by" not in breach.explanation


def test_breaches_are_attributed_to_the_late_step_before_them(caseload):
    rep = report(caseload, la_code=STAFFS)
    causes = {b.case: (b.issued_on, b.cause) for b in rep.breaches}
    assert causes == {
        "B": (dt.date(2026, 7, 6), "late decision whether to assess"),
        "D": (dt.date(2026, 6, 15), "late advice: educational_psychologist (not recorded)"),
    }
    d = next(b for b in rep.breaches if b.case == "D")
    assert "Mon 15 Jun 2026" in d.explanation
    assert "29 May" not in d.explanation


def test_targets_give_red_amber_green_per_quarter(caseload):
    targets = parse_targets({"amber_points": 10, "local_authorities": {STAFFS: {
        "plan_20_weeks_excl": [{"from": "2026-01-01", "target": 60},
                               {"from": "2026-04-01", "target": 75}],
        "decision_6_weeks": [{"from": "2026-01-01", "target": 70}],
    }}})
    rep = report(caseload, la_code=STAFFS, targets=targets)
    rows = {(r.group, r.measure): r for r in rep.breakdowns["quarter"]}
    q1 = rows[("2026-Q1", "plan_20_weeks_excl")]  # E, F: 2/2 against 60
    assert (q1.value, q1.target, q1.rag) == (100.0, 60.0, "green")
    q2 = rows[("2026-Q2", "plan_20_weeks_excl")]  # A on time, D late: 50 against 75
    assert (q2.value, q2.target, q2.rag) == (50.0, 75.0, "red")
    # Decisions Q1: A, B (late), C, D, E: 4/5 = 80 against 70: green.
    assert rows[("2026-Q1", "decision_6_weeks")].rag == "green"
    amber = Targets(targets[STAFFS].trajectories, amber_points=30)
    assert amber.rag("plan_20_weeks_excl", 50.0, dt.date(2026, 6, 30)) == "amber"


def test_bad_period_and_unknown_authority_are_refused(caseload):
    with pytest.raises(InvalidInput, match="ends"):
        report(caseload, dt.date(2026, 2, 1), dt.date(2026, 1, 1))
    with pytest.raises(NotFound, match="E99"):
        report(caseload, la_code="E99")
