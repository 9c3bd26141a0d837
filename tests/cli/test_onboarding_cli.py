"""``ehc import`` of a council's workbook, its SEN2 return and the template, run in-process
against SQLite and PostgreSQL: the report printed and written as a workbook, exit codes,
the closing message, and clear refusals of a command line that does not add up."""

from __future__ import annotations

import json

import pytest
from onboarding_fixtures import (
    PROBLEMS,
    SEN2,
    bad_rows,
    corrected,
    write_mapping,
    write_workbook,
)
from openpyxl import load_workbook

from tests.cli_run import ehc

AS_OF = ["--as-of", "2026-12-03"]




@pytest.fixture
def files(tmp_path):
    return tmp_path / "caseload.xlsx", write_mapping(tmp_path)


def exported(capsys):
    code, out, _ = ehc(capsys, "export")
    assert code == 0
    return json.loads(out)["cases"]


def test_a_dry_run_prints_each_problem_and_writes_the_report_workbook(
    staffed_env, files, capsys, tmp_path
):
    path, mapping = files
    report = tmp_path / "quality.xlsx"
    code, out, _ = ehc(capsys, "import", write_workbook(path, bad_rows()), "--mapping", mapping,
                       "--dry-run", "--report", report, *AS_OF)
    assert code == 1
    assert "refused, nothing was imported: 4 problems" in out
    assert "31/02/2026" in out
    assert exported(capsys) == []
    book = load_workbook(report)
    issues = [row for row in book["Issues"].iter_rows(min_row=2, values_only=True)]
    blocking = {(row, column.split(" ")[0], kind) for row, _, column, severity, kind, _ in issues
                if severity in ("impossible", "unreadable")}
    assert blocking == PROBLEMS
    rows = {r[1]: r[5] for r in book["Rows"].iter_rows(min_row=2, values_only=True)}
    assert rows["A3"] == "refused"
    assert rows["A1"] == "would import"
    totals = {r[1]: r[3] for r in book["Totals"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert totals["bad_date"] == 1


def test_the_real_run_imports_and_offers_the_baseline_sweep_and_the_summary(
    staffed_env, files, capsys
):
    path, mapping = files
    code, out, _ = ehc(capsys, "import", write_workbook(path, corrected()), "--mapping",
                       mapping, *AS_OF, "--user", "officer")
    assert code == 0
    assert "imported 16 events into 7 cases (7 new)" in out
    assert "ehc sweep --baseline" in out
    assert "open assessments, past week 20 of the 20" in out
    assert len(exported(capsys)) == 7
    code, out, _ = ehc(capsys, "import", path, "--mapping", mapping, *AS_OF)
    assert "imported 0 events into 0 cases (0 new); 16 events were already on file" in out


def test_the_template_is_written_and_its_example_dry_runs(staffed_env, capsys, tmp_path):
    code, out, _ = ehc(capsys, "import", "--template", tmp_path / "start")
    assert code == 0
    assert "mapping.yaml" in out
    mapping = tmp_path / "start" / "mapping.yaml"
    text = mapping.read_text().replace("jbloggs", "alice").replace("spatel", "carol")
    mapping.write_text(text)
    code, out, _ = ehc(capsys, "import", tmp_path / "start" / "example.xlsx", "--mapping",
                       mapping, "--dry-run", *AS_OF)
    assert code == 0
    assert "dry run, nothing written: importing would open 5 cases" in out


def test_a_sen2_return_imports_to_the_given_caseworker(staffed_env, capsys, tmp_path):
    path = tmp_path / "return.xml"
    path.write_text(SEN2)
    code, out, _ = ehc(capsys, "import", "--sen2", path, "--caseworker", "bob",
                       "--as-of", "2026-01-20")
    assert code == 0
    assert "return.xml: 3 persons" in out
    assert {case["caseworker"] for case in exported(capsys)} == {"bob"}


@pytest.mark.parametrize(("argv", "message"), [
    (["import"], "give one of: a file to import, --sen2 XML, or --template DIR"),
    (["import", "c.xlsx"], "c.xlsx is a workbook: give --mapping YAML"),
    (["import", "c.csv", "--dry-run"], "--dry-run need(s) --mapping"),
    (["import", "c.csv", "--sen2", "r.xml"], "give only one of a file, --sen2"),
    (["import", "c.csv", "--mapping", "m.yaml", "--caseworker", "bob"],
     "--caseworker and --la go with --sen2"),
    (["import", "--sen2", "r.xml", "--history"], "--history and --sheet go with a workbook"),
])
def test_a_command_line_that_does_not_add_up_is_refused_with_exit_2(
    staffed_env, capsys, argv, message
):
    code, _, err = ehc(capsys, *argv)
    assert code == 2
    assert message in err


def test_case_histories_still_import_without_a_mapping(staffed_env, capsys, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("case,la,process,caseworker,type,date\n"
                    "C9,E10000028,assessment,alice,request_received,2026-01-05\n")
    code, out, _ = ehc(capsys, "import", path)
    assert code == 0
    assert "imported 1 events into 1 cases (1 new)" in out


def test_a_one_row_per_case_csv_without_a_mapping_is_pointed_at_one(staffed_env, capsys, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_text("EHC reference,Date request received\nA1,20/07/2026\n")
    code, _, err = ehc(capsys, "import", path)
    assert code == 1
    assert "missing column(s): case, type" in err
    assert "give --mapping (ehc import --template DIR writes a starter)" in err
