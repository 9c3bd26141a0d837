"""The shipped LA calendars: their closures are sane and snapshots catch any change.

Snapshots (``tests/calendars/snapshots/<la-code>.json``) hold, per year, the computed bank
holidays and the closures starting in that year. A ``holidays`` upgrade or a data edit that
moves a date fails ``test_computed_calendar_matches_snapshot`` with a diff. After checking
the change is right, regenerate with ``EHC_UPDATE_SNAPSHOTS=1 .venv/bin/pytest
tests/calendars/test_cal_shipped_data.py`` and commit the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from calendars import known_local_authorities, load_calendar, qualifying_closures

D = dt.date.fromisoformat
SNAPSHOTS = Path(__file__).parent / "snapshots"
YEARS = range(2025, 2029)
SHIPPED = sorted(known_local_authorities())


def computed(la_code: str) -> dict[str, object]:
    cal = load_calendar(la_code)
    closures = cal.closures(None)
    years: dict[str, object] = {}
    for year in YEARS:
        years[str(year)] = {
            "bank_holidays": {d.isoformat(): n for d, n in cal.bank_holidays(year).items()},
            "closures": [
                {
                    "closed_from": c.closed_from.isoformat(),
                    "reopens_on": c.reopens_on.isoformat(),
                    "length_days": c.length_days,
                    "source": c.source,
                }
                for c in closures
                if c.closed_from.year == year
            ],
        }
    return {"la_code": la_code, "la_name": known_local_authorities()[la_code], "years": years}


@pytest.mark.parametrize("la_code", SHIPPED)
def test_computed_calendar_matches_snapshot(la_code):
    path = SNAPSHOTS / f"{la_code}.json"
    now = computed(la_code)
    if os.environ.get("EHC_UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(now, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with EHC_UPDATE_SNAPSHOTS=1"
    assert json.loads(path.read_text(encoding="utf-8")) == now


@pytest.mark.parametrize("la_code", SHIPPED)
def test_closures_are_ordered_disjoint_and_reopen_on_working_days(la_code):
    cal = load_calendar(la_code)
    closures = cal.closures(None)
    assert closures
    for earlier, later in zip(closures, closures[1:], strict=False):
        assert earlier.reopens_on < later.closed_from
    for closure in closures:
        assert cal.is_working_day(closure.reopens_on), closure
        assert closure.source.startswith("https://"), closure


@pytest.mark.parametrize("la_code", SHIPPED)
def test_only_summer_holidays_open_the_closure_exception(la_code):
    long_ones = [c for c in load_calendar(la_code).closures(None) if c.length_days >= 28]
    assert long_ones
    assert {c.closed_from.month for c in long_ones} == {7}


@pytest.mark.parametrize(
    ("requested", "expected_closed_from"),
    [
        ("2025-07-14", None),          # Staffordshire closes Tue 22 Jul 2025: window opens 15th
        ("2025-07-15", "2025-07-22"),
        ("2025-08-25", "2025-07-22"),  # reopens Mon 1 Sep 2025 (fixed INSET day): closes 25th
        ("2025-08-26", None),
        ("2025-12-10", None),          # Christmas is far shorter than 4 weeks
        ("2026-07-14", "2026-07-21"),  # last term day Mon 20 Jul 2026
        ("2026-08-25", "2026-07-21"),  # reopens Tue 1 Sep 2026 (Mon 31 Aug is a bank holiday)
        ("2026-08-26", None),
    ],
)
def test_staffordshire_summer_closure_windows(requested, expected_closed_from):
    cal = load_calendar("E10000028")
    found = qualifying_closures(cal.closures("any maintained school"), D(requested))
    assert [c.closed_from.isoformat() for c in found] == (
        [expected_closed_from] if expected_closed_from else []
    )
