"""``ehc report charts``: four charts as PNG and SVG, checked for existence, size and the
figures they were drawn from (not pixels)."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from cli.main import main
from engine.targets import parse_targets
from reports.charts import draw_all
from services.reporting import timeliness_report
from tests.reporting.dataset import STAFFS, load


@pytest.fixture
def report(staffed):
    load(staffed)
    targets = parse_targets({"local_authorities": {STAFFS: {
        "plan_20_weeks_excl": [{"from": "2026-01-01", "target": 60}]}}})
    return timeliness_report(staffed, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30),
                             as_of=dt.date(2026, 6, 30), as_at=dt.date(2026, 6, 30),
                             la_code=STAFFS, targets=targets)


def test_four_charts_in_png_and_svg_drawn_from_the_report(report, tmp_path):
    charts = {c.name: c for c in draw_all(report, tmp_path / "charts")}
    assert sorted(charts) == ["advice", "ageing", "bands", "trend"]
    for chart in charts.values():
        assert chart.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert chart.png.stat().st_size > 10_000
        assert etree.parse(str(chart.svg)).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    # As known on 30 June: plans in January (E), February (F), May (A and D): all on time.
    trend = charts["trend"].data
    assert trend["month"] == ["2026-01", "2026-02", "2026-05"]
    assert trend["percent"] == [100.0, 100.0, 100.0]
    assert trend["target"] == [60.0, 60.0, 60.0]
    assert trend["plans"] == [1, 1, 2]
    assert charts["advice"].data == {"adviser": ["educational_psychologist", "health"],
                                     "percent": [0.0, 100.0], "requests": [2, 1]}
    ageing = charts["ageing"].data
    assert ageing["week"] == list(range(21))
    assert ageing["open"] == [0] * 20 + [2]  # B (day 169) and C (day 148) on 30 June
    assert charts["bands"].data == {"month": ["2026-01", "2026-02", "2026-05"],
                                    "within_20_weeks": [1, 1, 2], "20_to_52_weeks": [0, 0, 0],
                                    "over_52_weeks": [0, 0, 0]}


def test_cli_writes_the_charts_into_a_directory(staffed_env, staffed, capsys, tmp_path):
    load(staffed)
    out = tmp_path / "committee"
    code = main(["report", "charts", "--from", "2026-01-01", "--to", "2026-12-31", "--la",
                 STAFFS, "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "advice.png", "advice.svg", "ageing.png", "ageing.svg", "bands.png", "bands.svg",
        "trend.png", "trend.svg"]
    assert len(capsys.readouterr().out.splitlines()) == 4
    afile = tmp_path / "file"
    afile.write_text("x")
    assert main(["report", "charts", "--from", "2026-01-01", "--to", "2026-12-31",
                 "--out", str(afile)]) == 2
