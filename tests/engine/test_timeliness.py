"""Timeliness figures counted as SEN2 counts them (statutory-rules.md §5.4)."""

import datetime as dt

import pytest

from calendars import load_calendar
from engine import parse_events, project_deadlines
from engine.timeliness import timeliness

CAL = load_calendar()
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def _case(request, final, *, exception=False):
    events = [
        {"type": "request_received", "date": request},
        {"type": "decision_to_assess_notified", "date": request, "outcome": "assess"},
    ]
    if exception:
        events.append({
            "type": "exception_recorded", "date": request,
            "ground": "reg13_3_c_exceptional_personal_circumstances", "applies_to": ["final_plan"],
        })
    events.append({"type": "final_plan_issued", "date": final})
    return project_deadlines(parse_events(events), CAL)


def _all(*cases):
    return [d for case in cases for d in case]


def test_plan_issued_on_day_140_is_on_time_and_day_141_is_late():
    deadlines = _all(_case("2025-01-06", "2025-05-26"), _case("2025-01-06", "2025-05-27"))
    figure = timeliness(deadlines, *YEAR, as_of=dt.date(2026, 1, 1))["plan_20_weeks"]
    assert (figure.completed, figure.on_time) == (2, 1)
    assert figure.rate_excluding_exceptions == pytest.approx(50.0)


def test_exception_cases_leave_the_headline_rate_but_count_in_the_including_rate():
    # The 2019 national mechanics in miniature: an exception case issued late drops out of
    # the headline; one issued on time still counts as on time in the "including" rate.
    deadlines = _all(
        _case("2025-01-06", "2025-05-01"),                   # on time
        _case("2025-01-06", "2025-07-01"),                   # late
        _case("2025-01-06", "2025-09-01", exception=True),   # late, exception
        _case("2025-01-06", "2025-04-01", exception=True),   # on time, exception
    )
    figure = timeliness(deadlines, *YEAR, as_of=dt.date(2026, 1, 1))["plan_20_weeks"]
    assert figure.rate_excluding_exceptions == pytest.approx(50.0)
    assert figure.rate_including_exceptions == pytest.approx(50.0)
    assert (figure.with_exception, figure.on_time_with_exception) == (2, 1)


def test_plans_are_counted_in_the_year_they_were_issued():
    deadlines = _all(_case("2024-09-02", "2025-01-10"), _case("2025-09-01", "2026-01-12"))
    figure = timeliness(deadlines, *YEAR, as_of=dt.date(2026, 2, 1))["plan_20_weeks"]
    assert figure.completed == 1


def test_open_overdue_deadlines_are_counted_separately_not_in_the_rates():
    open_case = project_deadlines(
        parse_events([{"type": "request_received", "date": "2025-01-06"}]), CAL
    )
    figures = timeliness(open_case, *YEAR, as_of=dt.date(2025, 6, 1))
    assert figures["plan_20_weeks"].still_open_overdue == 1
    assert figures["decision_6_weeks"].still_open_overdue == 1
    assert figures["plan_20_weeks"].rate_including_exceptions is None


def test_every_measure_named_in_the_brief_is_reported():
    figures = timeliness([], *YEAR, as_of=dt.date(2026, 1, 1))
    assert set(figures) == {
        "decision_6_weeks", "advice_6_weeks", "plan_20_weeks", "review_decision_4_weeks",
        "amendment_12_weeks",
    }
