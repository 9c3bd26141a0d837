"""``london_today``: the date in England, not the server's UTC date, across both 2025 clock
changes (30 March 01:00 UTC, 26 October 01:00 UTC). Frozen instants are UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from services.bootstrap import london_today

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("utc_instant", "london_date"),
    [
        ("2025-03-29 23:30:00", "2025-03-29"),  # GMT: same date
        ("2025-03-30 00:59:00", "2025-03-30"),  # a minute before clocks go forward
        ("2025-03-30 01:30:00", "2025-03-30"),  # 02:30 BST
        ("2025-03-30 23:30:00", "2025-03-31"),  # BST: 00:30 next day, UTC still the 30th
        ("2025-06-01 23:30:00", "2025-06-02"),  # style.md pitfall 2
        ("2025-10-25 22:59:00", "2025-10-25"),  # 23:59 BST
        ("2025-10-25 23:30:00", "2025-10-26"),  # 00:30 BST on the day clocks go back
        ("2025-10-26 01:30:00", "2025-10-26"),  # after the change: 01:30 GMT (pitfall 3)
        ("2025-10-26 23:30:00", "2025-10-26"),  # GMT again: same date as UTC
        ("2025-12-31 23:59:59", "2025-12-31"),
    ],
)
def test_london_today_is_the_english_calendar_date_of_the_instant(utc_instant, london_date):
    with freeze_time(utc_instant):
        assert london_today() == D(london_date)
