"""``ehc report timeliness``: the same figures as table, CSV, JSON and a workbook read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from tests.cli_run import ehc
from tests.reporting.dataset import STAFFS, load

PERIOD = ["--from", "2026-01-01", "--to", "2026-12-31", "--la", STAFFS]


@pytest.fixture
def caseload(staffed_env, staffed):
    load(staffed)




def test_csv_by_quarter(caseload, capsys):
    code, out, _ = ehc(capsys, "report", "timeliness", *PERIOD, "--by", "quarter",
                       "--format", "csv")
    assert code == 0
    rows = {(r["group"], r["measure"]): r for r in csv.DictReader(io.StringIO(out))}
    q2 = rows[("2026-Q2", "plan_20_weeks_excl")]  # A (on time), D (late)
    assert (q2["numerator"], q2["denominator"], q2["value"]) == ("1", "2", "50.0")
    assert (q2["period_start"], q2["period_end"]) == ("2026-04-01", "2026-06-30")


def test_json_as_at_and_targets(caseload, capsys, tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"local_authorities:\n  {STAFFS}:\n    plan_20_weeks_excl:\n"
                       "      - {from: 2026-01-01, target: 60}\n", encoding="utf-8")
    code, out, _ = ehc(capsys, "report", "timeliness", "--from", "2026-01-01", "--to",
                       "2026-06-30", "--la", STAFFS, "--as-at", "2026-06-30", "--by", "total",
                       "--format", "json", "--targets", str(targets))
    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == "2026-06-30"
    assert doc["known_by"] == "2026-06-30T23:00:00+00:00"
    row = next(r for r in doc["rows"] if r["measure"] == "plan_20_weeks_excl")
    assert (row["numerator"], row["denominator"], row["target"], row["rag"]) == (
        4, 4, 60.0, "green")
    assert [b["case"] for b in doc["breaches_20_weeks"]] == ["B"]


def test_xlsx_holds_every_breakdown_with_numbers_and_dates(caseload, capsys, tmp_path):
    out = tmp_path / "t.xlsx"
    code, _, err = ehc(capsys, "report", "timeliness", *PERIOD, "--format", "xlsx",
                       "--out", str(out))
    assert code == 0
    assert "wrote" in err
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["Summary", "By month", "By quarter"]
    assert {"By adviser", "By organisation", "20-week breaches", "Open assessments",
            "Measures"} <= set(book.sheetnames)
    sheet = book["By month"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]
    jan = next(r for r in rows
               if r["group"] == "2026-01" and r["measure"] == "plan_20_weeks_incl")
    assert jan["numerator"] == 1
    assert isinstance(jan["value"], int | float)
    assert jan["value"] == 100.0
    assert jan["period_start"] == dt.datetime(2026, 1, 1)  # a real date, not text
    breaches = book["20-week breaches"]
    assert sorted(r[0].value for r in breaches.iter_rows(min_row=2)) == ["B", "D"]


def test_xlsx_needs_out_and_bad_targets_are_refused(caseload, capsys, tmp_path):
    assert ehc(capsys, "report", "timeliness", *PERIOD, "--format", "xlsx")[0] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("local_authorities:\n  X: {nonsense: [{from: 2026-01-01, target: 5}]}\n")
    code, _, err = ehc(capsys, "report", "timeliness", *PERIOD, "--targets", str(bad))
    assert code == 2
    assert "unknown measure 'nonsense'" in err
