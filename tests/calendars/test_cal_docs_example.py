"""The example in docs/calendar-format.md parses and gives the closures the doc states."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from calendars import EnglandCalendar, closure_window_contains, parse_calendar_data

DOC = Path(__file__).parents[2] / "docs" / "calendar-format.md"
D = dt.date.fromisoformat


def example_calendar() -> EnglandCalendar:
    block = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert block, "docs/calendar-format.md has no yaml example"
    return EnglandCalendar(parse_calendar_data(block.group(1), source="calendar-format.md"))


def spans(closures):
    return [(c.closed_from.isoformat(), c.reopens_on.isoformat()) for c in closures]


def test_documented_la_default_closures():
    cal = example_calendar()
    assert spans(cal.closures(None)) == [
        ("2026-05-23", "2026-06-01"),
        ("2026-07-18", "2026-09-01"),
        ("2026-10-24", "2026-11-02"),
        ("2026-12-19", "2027-01-04"),
    ]
    summer = cal.closures(None)[1]
    assert summer.length_days == 45
    assert closure_window_contains(summer, D("2026-07-11"))
    assert closure_window_contains(summer, D("2026-08-25"))
    assert not closure_window_contains(summer, D("2026-08-26"))


def test_documented_academy_closures():
    assert spans(example_calendar().closures("140001")) == [
        ("2026-05-23", "2026-06-01"),
        ("2026-07-11", "2026-08-26"),
        ("2026-10-17", "2026-11-02"),
        ("2026-12-19", "2027-01-04"),
    ]


def test_documented_proclaimed_day_is_not_a_working_day():
    cal = example_calendar()
    assert not cal.is_working_day(D("2026-06-12"))
    assert cal.add_working_days(D("2026-06-11"), 1) == D("2026-06-15")
