"""``ehc timeliness``: managers' figures from the projection, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.cli_run import ehc

CASES = {  # reference: (caseworker, final plan date, exception recorded)
    "T1": ("alice", "2025-05-26", False),   # day 140: on time (T1)
    "T2": ("alice", "2025-06-30", False),   # late
    "T3": ("carol", "2025-09-01", True),    # late, with a reg 13(3) exception
}




@pytest.fixture
def issued_plans(staffed_env, capsys, monkeypatch):
    monkeypatch.setenv("EHC_USER", "alice")
    for ref, (worker, final, excepted) in CASES.items():
        assert ehc(capsys, "case", "open", ref, "--process", "assessment", "--caseworker",
                   worker, "--la", "E10000028")[0] == 0
        steps = [["request_received", "--date", "2025-01-06"],
                 ["decision_to_assess_notified", "--date", "2025-02-10",
                  "--field", "outcome=assess"]]
        if excepted:
            steps.append(["exception_recorded", "--date", "2025-03-01",
                          "--field", "ground=reg13_3_c_exceptional_personal_circumstances",
                          "--field", "applies_to=final_plan"])
        steps.append(["final_plan_issued", "--date", final])
        for step in steps:
            assert ehc(capsys, "event", "add", ref, *step)[0] == 0


def plans_row(out):
    return next(line for line in out.splitlines() if "final plans within 20 weeks" in line)


def test_authority_figures_split_the_headline_from_the_including_exceptions_rate(
    issued_plans, capsys
):
    code, out, _ = ehc(capsys, "timeliness", "--year", "2025", "--la", "E10000028",
                       "--as-of", "2026-01-10")
    assert code == 0
    # 3 completed, 1 on time; the exception case leaves the headline: 1/2 and 1/3.
    assert plans_row(out).split()[-6:] == ["3", "1", "50.0%", "33.3%", "1", "0"]


def test_team_figures_count_only_that_teams_cases(issued_plans, capsys):
    code, out, _ = ehc(capsys, "timeliness", "--year", "2025", "--team", "North",
                       "--la", "E10000028", "--as-of", "2026-01-10")
    assert code == 0
    assert plans_row(out).split()[-6:] == ["2", "1", "50.0%", "50.0%", "0", "0"]


def test_a_year_with_nothing_completed_shows_no_rate(issued_plans, capsys):
    code, out, _ = ehc(capsys, "timeliness", "--year", "2024", "--as-of", "2026-01-10")
    assert code == 0
    assert plans_row(out).split()[-6:] == ["0", "0", "-", "-", "0", "0"]


def test_a_backwards_period_is_refused(issued_plans, capsys):
    code, _, err = ehc(capsys, "timeliness", "--from", "2025-12-31", "--to", "2025-01-01")
    assert code == 2
    assert "ends (2025-01-01) before it starts (2025-12-31)" in err
