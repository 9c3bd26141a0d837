"""Taking on a council's caseload, on SQLite and PostgreSQL: the dry run reports every
problem and writes nothing; the real run imports exactly the rows' events or nothing; a
corrected file re-run adds only what is new; the SEN2 start builds the expected dates."""

from __future__ import annotations

import datetime as dt

import pytest
from onboarding_fixtures import (
    AS_OF,
    MAPPING,
    PROBLEMS,
    SEN2,
    bad_rows,
    corrected,
    write_mapping,
    write_workbook,
)
from sqlalchemy import func, select

from db.schema import AuditEntry, Case, CaseEventRow
from db.session import unit_of_work
from services.cases import case_view
from services.errors import InvalidInput
from services.onboarding import import_caseload, import_sen2, starter_files
from services.store import export

EXPECTED = {
    "A1": [("request_received", "2026-07-20"), ("decision_to_assess_notified", "2026-08-28"),
           ("advice_requested", "2026-09-01")],
    "A2": [("request_received", "2026-03-02"), ("decision_to_assess_notified", "2026-04-14"),
           ("final_plan_issued", "2026-07-03")],
    "A3": [("request_received", "2026-06-01")],
    "R1": [("final_plan_issued", "2024-01-10"), ("review_meeting_held", "2026-01-15"),
           ("review_decision_notified", "2026-01-29"), ("phase_transfer_expected", None)],
    "R2": [("review_meeting_held", "2026-01-27"), ("review_decision_notified", "2026-02-10")],
    "R3": [("final_plan_issued", "2021-03-12"), ("review_meeting_held", "2026-02-28")],
    "A4": [("request_received", "2026-11-02")],
}


def counts(engine):
    with unit_of_work(engine) as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Case, CaseEventRow, AuditEntry))


def stored(engine):
    return {case["reference"]: [(e["type"], e.get("date")) for e in case["events"]]
            for case in export(engine)["cases"]}


def run(engine, path, mapping, *, dry_run=False, **options):
    return import_caseload(engine, path, mapping, actor="officer", as_of=AS_OF,
                           dry_run=dry_run, **options)


@pytest.fixture
def files(tmp_path):
    return tmp_path / "caseload.xlsx", write_mapping(tmp_path)


def test_the_dry_run_reports_every_problem_at_its_row_and_column_and_writes_nothing(
    staffed, files
):
    path, mapping = files
    before = counts(staffed)
    done = run(staffed, write_workbook(path, bad_rows()), mapping, dry_run=True)
    assert not done.written
    assert {(i.row, i.column.split(" ")[0], i.kind) for i in done.report.blocking} == PROBLEMS
    assert counts(staffed) == before


def test_the_real_run_with_an_impossible_row_imports_nothing(staffed, files):
    path, mapping = files
    before = counts(staffed)
    done = run(staffed, write_workbook(path, bad_rows()), mapping)
    assert not done.written
    assert len(done.report.blocking) == len(PROBLEMS)
    assert counts(staffed) == before


def test_the_corrected_file_imports_exactly_its_rows_events(staffed, files):
    path, mapping = files
    done = run(staffed, write_workbook(path, corrected()), mapping)
    assert done.written
    assert done.counts.cases_opened == 7
    assert done.counts.events_added == sum(len(v) for v in EXPECTED.values())
    assert stored(staffed) == EXPECTED


def test_a_dry_run_of_the_corrected_file_says_what_it_would_add(staffed, files):
    path, mapping = files
    done = run(staffed, write_workbook(path, corrected()), mapping, dry_run=True)
    assert done.counts.cases_opened == 7
    assert done.counts.events_added == sum(len(v) for v in EXPECTED.values())
    assert stored(staffed) == {}


def test_re_running_the_corrected_file_adds_only_what_is_new(staffed, files):
    path, mapping = files
    run(staffed, write_workbook(path, corrected()), mapping)
    again = run(staffed, path, mapping)
    assert (again.counts.events_added, again.counts.events_already_present) == (0, 16)
    rows = corrected()
    a1 = list(rows[5])
    a1[8] = "20/10/2026"  # the EP advice has come in since
    rows[5] = tuple(a1)
    later = run(staffed, write_workbook(path, rows), mapping)
    assert (later.counts.events_added, later.counts.cases_touched) == (1, 1)
    assert stored(staffed)["A1"][-1] == ("advice_received", "2026-10-20")


def test_an_unknown_caseworker_is_refused_by_the_store_at_its_row(staffed, files):
    path, mapping = files
    rows = corrected()
    rows[14] = ("A5", "Zed Z.", "North", None, "21/07/2026", *[None] * 9)
    done = run(staffed, write_workbook(path, rows), mapping, dry_run=True)
    refused = [(i.row, i.kind) for i in done.report.blocking]
    assert refused == [(14, "refused_by_store")]
    assert "unknown caseworker 'Zed Z.'" in done.report.blocking[0].message


def test_a_case_already_on_file_with_another_caseworker_is_refused_at_its_row(staffed, files):
    path, mapping = files
    run(staffed, write_workbook(path, corrected()), mapping)
    rows = corrected()
    rows[7] = ("A2", "Alice A.", *rows[7][2:])
    done = run(staffed, write_workbook(path, rows), mapping)
    assert not done.written
    assert [(i.row, i.kind) for i in done.report.blocking] == [(7, "refused_by_store")]
    assert "already exists with caseworker 'bob'" in done.report.blocking[0].message


def test_the_summary_shows_the_imported_caseload(staffed, files):
    path, mapping = files
    summary = run(staffed, write_workbook(path, corrected()), mapping).summary
    weeks = dict(summary.assessments_by_week)
    # A1 (request 20 Jul: week 20), A3 (1 Jun: past week 20), A4 (2 Nov: week 5).
    assert weeks == {"weeks 1-6": 1, "weeks 7-12": 0, "weeks 13-16": 0, "weeks 17-20": 1,
                     "past week 20": 1}
    assert summary.reviews_overdue == 1  # R3: plan of 12 Mar 2021, no decision since
    assert summary.reviews_due_soon == 1  # R1: decided 29 Jan 2026, due by 28 Jan 2027
    assert summary.transfer_cohorts == ((dt.date(2027, 2, 14), 1, 0),)


def test_history_rows_import_dates_before_the_current_rules(staffed, files):
    path, mapping = files
    rows = corrected()
    rows[9] = ("R1", "Alice A.", "North", None, None, None, None, None, None, "10/01/2013",
               "15/01/2026", "29/01/2026", "Maintain", None)
    assert not run(staffed, write_workbook(path, rows), mapping).written
    done = run(staffed, path, mapping, history=True)
    assert done.written
    r1 = [c for c in export(staffed, "R1")["cases"]][0]["events"]
    assert r1[0] == {"type": "final_plan_issued", "date": "2013-01-10", "imported": True,
                     "recorded_at": r1[0]["recorded_at"], "recorded_by": "officer"}


def test_the_template_imports_as_it_stands(staffed, tmp_path):
    mapping, example = starter_files(tmp_path / "start")
    text = mapping.read_text(encoding="utf-8").replace("Jo Bloggs: jbloggs", "Jo Bloggs: alice")
    mapping.write_text(text.replace("Sam Patel: spatel", "Sam Patel: carol"), encoding="utf-8")
    done = run(staffed, example, mapping)
    assert done.written
    assert done.report.blocking == ()
    assert done.counts.cases_opened == 5


@pytest.mark.parametrize(("change", "message"), [
    ("missing-mapping", "no such file"),
    ("missing-file", "no such file"),
    ("bad-mapping", "mapping.yaml: columns: Field required"),
    ("bad-sheet", "has no sheet 'Elsewhere'"),
])
def test_files_that_cannot_be_used_are_refused_before_anything_is_read(
    staffed, files, change, message
):
    path, mapping = files
    write_workbook(path, corrected())
    if change == "missing-mapping":
        mapping = mapping.with_name("absent.yaml")
    elif change == "missing-file":
        path = path.with_name("absent.xlsx")
    elif change == "bad-mapping":
        mapping.write_text("local_authority: E10000028\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        run(staffed, path, mapping, sheet="Elsewhere" if change == "bad-sheet" else None)


def sen2(engine, tmp_path, text=SEN2, **options):
    path = tmp_path / "return.xml"
    path.write_text(text, encoding="utf-8")
    options.setdefault("caseworker", "alice")
    return import_sen2(engine, path, actor="officer", as_of=dt.date(2026, 1, 20),
                       dry_run=False, **options)


def test_the_sen2_return_builds_the_opening_caseload_dates(staffed, tmp_path):
    done = sen2(staffed, tmp_path)
    assert done.written
    assert done.counts.cases_opened == 3
    cases = {c.row: c.reference for c in done.report.cases}
    histories = stored(staffed)
    assert histories[cases[1]] == [
        ("request_received", "2025-01-06"), ("decision_to_assess_notified", "2025-02-10"),
        ("final_plan_issued", "2025-05-20"), ("review_meeting_held", "2025-12-01"),
        ("review_decision_notified", "2025-12-15")]
    assert histories[cases[2]] == [("request_received", "2025-11-03"),
                                   ("decision_to_assess_notified", "2025-12-08")]
    assert histories[cases[3]] == [("plan_last_reviewed", "2025-03-01")]
    open_assessment = case_view(staffed, cases[2], as_of=dt.date(2026, 1, 20))
    due = {j.deadline.key: j.deadline.due for j in open_assessment.deadlines}
    assert due["final_plan_due"] == dt.date(2026, 3, 23)  # 20 weeks from 3 Nov 2025
    review = case_view(staffed, cases[3], as_of=dt.date(2026, 1, 20))
    due = {j.deadline.key: j.deadline.due for j in review.deadlines}
    assert due["annual_review_due"] == dt.date(2026, 2, 28)


def test_what_the_return_cannot_say_is_reported_missing_not_invented(staffed, tmp_path):
    done = sen2(staffed, tmp_path)
    missing = [(i.row, i.kind) for i in done.report.issues if i.severity == "missing"]
    assert (None, "not_in_return") in missing  # the caseworker, for the whole return
    assert (2, "not_in_return") in missing  # the open assessment's advice dates
    advice = [e for case in stored(staffed).values() for e in case if "advice" in e[0]]
    assert advice == []
    with unit_of_work(staffed) as session:
        workers = set(session.scalars(select(Case.caseworker_id)))
    assert len(workers) == 1


def test_the_sen2_reference_is_a_pseudonym_stable_across_runs(staffed, tmp_path):
    first = sen2(staffed, tmp_path)
    again = sen2(staffed, tmp_path)
    assert [c.reference for c in again.report.cases] == [c.reference for c in first.report.cases]
    assert again.counts.events_added == 0
    assert not any("Smith" in c.reference or "A123" in c.reference for c in first.report.cases)


def test_a_sen2_return_needs_a_caseworker(staffed, tmp_path):
    with pytest.raises(InvalidInput, match="give --caseworker"):
        sen2(staffed, tmp_path, caseworker=None)


def test_a_sen2_return_with_a_three_digit_lea_needs_the_authority(staffed, tmp_path):
    text = SEN2.replace("<LEA>E10000028</LEA>", "<LEA>860</LEA>")
    with pytest.raises(InvalidInput, match="give --la"):
        sen2(staffed, tmp_path, text=text)
    assert sen2(staffed, tmp_path, text=text, la_code="E10000028").written


def test_a_file_that_is_not_a_sen2_return_is_refused(staffed, tmp_path):
    with pytest.raises(InvalidInput, match="not well-formed XML"):
        sen2(staffed, tmp_path, text="<Message><Persons>")
    with pytest.raises(InvalidInput, match="not a SEN2 return"):
        sen2(staffed, tmp_path, text="<cases/>")


def test_a_mapping_file_is_needed_for_a_sen2_only_when_given(staffed, tmp_path):
    small = tmp_path / "sen2.yaml"
    small.write_text("caseworker: carol\nreference_prefix: NS-\n", encoding="utf-8")
    done = sen2(staffed, tmp_path, caseworker=None, mapping_path=small)
    assert all(c.reference.startswith("NS-") and c.caseworker == "carol"
               for c in done.report.cases)
    assert MAPPING  # the workbook mapping is a different file
