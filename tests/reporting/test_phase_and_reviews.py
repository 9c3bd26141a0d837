"""Phase-transfer amendments by 15 February / 31 March, overdue reviews, review decisions
and amendments: a second small caseload, every figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from services.reporting import timeliness_report
from tests.reporting.dataset import STAFFS, ev, load

TODAY = dt.date(2026, 12, 1)
CASES = {
    # Primary -> secondary in September 2027: amended before 15 February (last day 14 Feb).
    "P1": ("alice", STAFFS, [
        ev("plan_last_reviewed", "2026-01-15"),
        {"type": "phase_transfer_expected", "from": "primary", "to": "secondary",
         "transfer_date": "2027-09-01", "at": "2026-01-15"},
        ev("review_meeting_held", "2026-11-20"),
        ev("review_decision_notified", "2026-12-10", outcome="amend"),  # day 20
        ev("amendment_notice_served", "2026-12-10"),
        ev("amended_plan_issued", "2027-02-01"),  # meeting + 73 days
    ]),
    # Secondary -> post-16 in September 2027: never amended (31 March, last day 30 March).
    "P2": ("bob", STAFFS, [
        ev("plan_last_reviewed", "2026-02-01"),
        {"type": "phase_transfer_expected", "from": "secondary", "to": "post16_institution",
         "transfer_date": "2027-09-01", "at": "2026-02-01"},
    ]),
    # Last reviewed 10 Jan 2025: the next review was due by 9 Jan 2026 (T5) and never came.
    "P3": ("carol", STAFFS, [ev("plan_last_reviewed", "2025-01-10")]),
}


@pytest.fixture
def caseload(staffed):
    load(staffed, CASES)
    return staffed


def cell(rep, by, group, measure):
    (row,) = [r for r in rep.breakdowns[by] if r.group == group and r.measure == measure]
    return row.numerator, row.denominator


def test_phase_transfer_cohort_counts_by_its_statutory_date(caseload):
    rep = timeliness_report(caseload, start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31),
                            as_of=TODAY)
    assert cell(rep, "total", "all", "phase_transfer_15_feb") == (1, 1)  # P1, 1 Feb <= 14 Feb
    assert cell(rep, "total", "all", "phase_transfer_31_mar") == (0, 1)  # P2
    assert cell(rep, "month", "2027-02", "phase_transfer_15_feb") == (1, 1)
    assert cell(rep, "month", "2027-03", "phase_transfer_31_mar") == (0, 1)
    assert cell(rep, "total", "all", "amendment_12_weeks") == (1, 1)  # 73 <= 84 days
    last_year = timeliness_report(caseload, start=dt.date(2026, 1, 1),
                                  end=dt.date(2026, 12, 31), as_of=TODAY)
    assert not [r for r in last_year.breakdowns["total"] if r.measure.startswith("phase")]


def test_reviews_overdue_at_each_periods_end(caseload):
    rep = timeliness_report(caseload, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
                            as_of=TODAY)
    # 31 Jan: P3 overdue (due 9 Jan), P1 open (due 14 Jan 2027); P2 not yet on file.
    assert cell(rep, "month", "2026-01", "reviews_overdue") == (1, 2)
    assert cell(rep, "month", "2026-02", "reviews_overdue") == (1, 3)
    # The report's own snapshot is today (1 Dec): P1's decision of 10 Dec is still to come.
    assert cell(rep, "total", "all", "reviews_overdue") == (1, 3)
    assert "2026-12" in {r.group for r in rep.breakdowns["month"]
                         if r.measure == "review_decision_4_weeks"}
    assert cell(rep, "month", "2026-12", "review_decision_4_weeks") == (1, 1)  # day 20
