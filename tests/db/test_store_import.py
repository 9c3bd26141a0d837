"""Bulk import and export: validated as a whole, all or nothing (even when the process is
killed mid-way), re-runnable, and an export imports back. Both backends."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from store_helpers import REQUEST, append, load, open_case, table_counts

from db.errors import ImportRejected
from db.import_format import read_import_file
from db.session import unit_of_work
from db.transfer import export_cases, import_cases

REPO = Path(__file__).resolve().parents[2]

EXCEPTION_FIELDS = (
    '"{""ground"": ""reg13_3_c_exceptional_personal_circumstances"", '
    '""applies_to"": [""final_plan""]}"'
)
GOOD_CSV = f"""\
case,la,process,caseworker,type,date,outcome,advisor,id,fields
A1,E10000028,assessment,alice,request_received,2025-01-06,,,a1-req,
A1,,,,decision_to_assess_notified,2025-02-10,assess,,,
A1,,,,advice_requested,2025-02-11,,educational_psychologist,,
A1,,,,advice_requested,2025-02-11,,educational_psychologist,,
A1,,,,exception_recorded,2025-02-20,,,,{EXCEPTION_FIELDS}
R1,E10000028,review,bob,plan_last_reviewed,2024-09-01,,,,
R1,,,,review_meeting_held,2025-08-20,,,,
"""

BAD_CSV = """\
case,la,process,caseworker,type,date,outcome
A1,E10000028,assessment,alice,request_received,2025-01-06,
A1,,,,decision_to_asses_notified,2025-02-10,assess
A2,E10000028,assessment,alice,request_received,2025-02-30,
A3,E10000028,assessment,zoe,request_received,2025-01-06,
A4,E10000028,assessment,alice,request_received,2025-01-06,
A4,,,,final_plan_issued,2024-12-01,
A5,E10000028,assessment,alice,request_received,2025-01-06,,extra
,E10000028,assessment,alice,request_received,2025-01-06,
A6,E10000028,assessment,alice,request_received,2025-01-06,
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(engine, path: Path):
    cases, problems = read_import_file(path)
    with unit_of_work(engine, write=True) as session:
        return import_cases(session, cases, actor="importer", problems=problems,
                            source=path.name)


def _export(engine, reference=None):
    with unit_of_work(engine) as session:
        document = export_cases(session, reference)
    document.pop("exported_at")
    return document


def test_csv_import_opens_cases_and_records_every_event_with_its_deadlines(staffed, tmp_path):
    report = _import(staffed, _write(tmp_path, "load.csv", GOOD_CSV))

    assert (report.cases_opened, report.cases_touched, report.events_added,
            report.events_already_present) == (2, 2, 7, 0)
    history = load(staffed, "A1")
    assert (history.caseworker, history.process, history.seq) == ("alice", "assessment", 5)
    assert history.records[0].event.id == "a1-req"
    assert history.records[4].event.applies_to == ("final_plan",)
    assert all(r.recorded_by == "importer" for r in history.records)
    assert load(staffed, "R1").process == "review"
    assert table_counts(staffed)[1] > 0  # deadlines projected


def test_running_the_same_import_again_adds_nothing(staffed, tmp_path):
    path = _write(tmp_path, "load.csv", GOOD_CSV)
    _import(staffed, path)
    counts = table_counts(staffed)[:2]

    again = _import(staffed, path)

    assert (again.cases_opened, again.events_added, again.events_already_present) == (0, 0, 7)
    assert table_counts(staffed)[:2] == counts


def test_import_appends_only_the_events_a_case_does_not_have_yet(staffed, tmp_path):
    open_case(staffed, "A1")
    append(staffed, "A1", [{**REQUEST, "id": "a1-req"}], by="alice")

    report = _import(staffed, _write(tmp_path, "load.csv", GOOD_CSV))

    assert (report.cases_opened, report.events_added, report.events_already_present) == (1, 6, 1)
    history = load(staffed, "A1")
    assert history.seq == 5
    assert history.records[0].recorded_by == "alice"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(staffed, tmp_path):
    before = table_counts(staffed)
    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, _write(tmp_path, "bad.csv", BAD_CSV))

    problems = {p.where: p.reason for p in rejected.value.problems}
    assert set(problems) == {"line 3", "line 4", "line 5", "line 7", "line 8", "line 9"}
    assert "unknown event type 'decision_to_asses_notified'" in problems["line 3"]
    assert "date" in problems["line 4"]
    assert "unknown caseworker 'zoe'" in problems["line 5"]
    assert "dated before request_received" in problems["line 7"]
    assert "more cell(s) than the header" in problems["line 8"]
    assert "no case reference" in problems["line 9"]
    assert table_counts(staffed) == before


def test_an_event_id_reused_for_different_content_is_a_problem_at_its_line(staffed, tmp_path):
    _import(staffed, _write(tmp_path, "load.csv", GOOD_CSV))
    changed = GOOD_CSV.replace("request_received,2025-01-06,,,a1-req",
                               "request_received,2025-01-07,,,a1-req")
    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, _write(tmp_path, "changed.csv", changed))
    [problem] = rejected.value.problems
    assert problem.where == "line 2"
    assert "'a1-req' was already recorded for a different event" in problem.reason


def test_file_that_contradicts_an_existing_case_is_refused(staffed, tmp_path):
    open_case(staffed, "A1", caseworker="bob")
    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, _write(tmp_path, "load.csv", GOOD_CSV))
    assert [str(p) for p in rejected.value.problems] == [
        "line 2: case A1: already exists with caseworker 'bob', the file says 'alice'"]


def test_json_lines_import_reports_lines_and_imports_the_good_file(staffed, tmp_path):
    docs = [
        {"reference": "J1", "la": "E10000028", "process": "assessment", "caseworker": "carol",
         "opened_at": "2025-01-06T09:00:00+00:00", "events": [REQUEST]},
        {"reference": "J2", "la": "E10000028", "process": "assessment", "caseworker": "carol",
         "events": [{"type": "request_received"}]},
    ]
    lines = "\n".join(json.dumps(doc) for doc in docs) + "\n"
    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, _write(tmp_path, "cases.jsonl", lines))
    [problem] = rejected.value.problems
    assert problem.where == "line 2 (J2) event #1"
    assert "date" in problem.reason

    report = _import(staffed, _write(tmp_path, "good.jsonl", json.dumps(docs[0]) + "\n"))
    assert report.events_added == 1


def test_export_imports_back_unchanged_and_adds_nothing_to_its_source(
    staffed, fresh_sqlite_engine, tmp_path
):
    _import(staffed, _write(tmp_path, "load.csv", GOOD_CSV))
    append(staffed, "A1", [{"type": "advice_received", "date": "2025-03-20",
                            "advisor": "educational_psychologist"}], by="alice")
    exported = _export(staffed)
    path = _write(tmp_path, "export.json", json.dumps(exported))

    again = _import(staffed, path)
    assert (again.events_added, again.events_already_present) == (0, 8)

    into_fresh = _import(fresh_sqlite_engine, path)
    assert (into_fresh.cases_opened, into_fresh.events_added) == (2, 8)
    # The importer recorded them here; who recorded them at the source is kept apart.
    moved = _export(fresh_sqlite_engine)
    for case in exported["cases"]:
        for event in case["events"]:
            event["imported_recorded_by"] = event.pop("recorded_by")
            event["imported_recorded_at"] = event.pop("recorded_at")
    for case in moved["cases"]:
        for event in case["events"]:
            assert event.pop("recorded_by") == "importer"
            assert dt.datetime.fromisoformat(event.pop("recorded_at")).tzinfo is not None
    assert moved == exported
    # ... and a second generation keeps the first recorder, not the one in between.
    path = _write(tmp_path, "again.json", json.dumps(_export(fresh_sqlite_engine)))
    assert _import(fresh_sqlite_engine, path).events_already_present == 8
    alices = read_import_file(path)[0][0].events[-1].data  # A1's advice, recorded by alice
    assert alices["imported_recorded_by"] == "alice"
    assert "recorded_by" not in alices


def test_a_case_format_document_imports_once_it_names_process_and_caseworker(
    staffed, tmp_path
):
    """docs/case-format.md documents (``local_authority``, extra keys) import as they are."""
    document = {"reference": "EX-1", "local_authority": "E10000028", "description": "example",
                "events": [REQUEST, {"type": "decision_to_assess_notified",
                                     "date": "2025-02-10", "outcome": "assess"}]}
    path = _write(tmp_path, "case.json", json.dumps(document))
    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, path)
    assert [p.reason for p in rejected.value.problems] == [
        "case EX-1: is new, so the file must give its process, caseworker"]

    path.write_text(json.dumps({**document, "process": "assessment", "caseworker": "bob"}))
    assert _import(staffed, path).events_added == 2
    assert load(staffed, "EX-1").la_code == "E10000028"


def test_export_of_one_case(staffed, tmp_path):
    _import(staffed, _write(tmp_path, "load.csv", GOOD_CSV))
    document = _export(staffed, "R1")
    assert [case["reference"] for case in document["cases"]] == ["R1"]
    assert [e["type"] for e in document["cases"][0]["events"]] == [
        "plan_last_reviewed", "review_meeting_held"]


KILLED_IMPORT = textwrap.dedent("""
    import sys, time
    import db.import_plan, db.transfer
    db.import_plan.BATCH_CASES = 1  # each case written as it is planned: hang after N
    real_insert, written = db.transfer.BulkWriter.insert, []
    stop_after = int(sys.argv[2])

    def insert_then_hang(self, table, rows):
        real_insert(self, table, rows)
        if table == "case_events":
            written.append(len(rows))
            if len(written) == stop_after:
                print("HALF-WAY", flush=True)
                time.sleep(120)

    db.transfer.BulkWriter.insert = insert_then_hang
    from cli.main import main
    sys.exit(main(["import", sys.argv[1], "--user", "killed"]))
""")


def test_import_killed_mid_way_leaves_the_database_as_it_was(staffed, db_url, tmp_path):
    open_case(staffed, "EXISTING")
    append(staffed, "EXISTING", [REQUEST])
    rows = ["case,la,process,caseworker,type,date,outcome"]
    for n in range(80):
        rows.append(f"K{n},E10000028,assessment,alice,request_received,2025-01-06,")
        rows.append(f"K{n},,,,decision_to_assess_notified,2025-02-10,assess")
    path = _write(tmp_path, "big.csv", "\n".join(rows) + "\n")
    before = table_counts(staffed)
    exported = _export(staffed)

    with subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(path), "40"], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env={**os.environ, "EHC_DATABASE_URL": db_url},
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        line = child.stdout.readline()
        if line.strip() != "HALF-WAY":
            child.kill()
            pytest.fail(f"the import did not get half-way: {child.stderr.read()}")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert table_counts(staffed) == before
    assert _export(staffed) == exported
    report = _import(staffed, path)  # and the database is usable: the import now completes
    assert (report.cases_opened, report.events_added) == (80, 160)


@pytest.mark.parametrize(("fence", "suffix"), [("csv", ".csv"), ("json", ".json")])
def test_the_examples_in_the_import_format_document_import(staffed, tmp_path, fence, suffix):
    text = (REPO / "docs" / "import-format.md").read_text(encoding="utf-8")
    example = text.split(f"```{fence}\n", 1)[1].split("```", 1)[0]
    report = _import(staffed, _write(tmp_path, f"example{suffix}", example))
    assert report.events_added == example.count("\n") - 1 if fence == "csv" else 3
    assert _import(staffed, tmp_path / f"example{suffix}").events_added == 0
