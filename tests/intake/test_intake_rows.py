"""A council's workbook through its mapping, with no database: which events each row
makes, and every problem at its sheet row and column (the data-quality report)."""

from __future__ import annotations

import datetime as dt

import pytest
from onboarding_fixtures import (
    AS_OF,
    MAPPING,
    PROBLEMS,
    bad_rows,
    corrected,
    write_workbook,
)

from intake.mapping import MappingError, load_mapping
from intake.report import build_report
from intake.rows import plan_rows
from intake.sheet import SheetError, read_table


def plan(path, *, history=False, mapping_text=MAPPING, as_of=AS_OF, sheet=None):
    mapping = load_mapping(mapping_text)
    table = read_table(path, mapping.wanted_columns(), reference=mapping.columns.reference,
                       sheet=sheet, default_sheet=mapping.sheet)
    return table, plan_rows(table, mapping, as_of=as_of, history=history)


def events(case):
    return [(e.data["type"], e.data.get("date")) for e in case.events]


def by_reference(cases):
    return {case.reference: case for case in cases}


def test_the_header_is_found_under_a_title_banner_and_merged_group_headings(tmp_path):
    table, _ = plan(write_workbook(tmp_path / "c.xlsx", corrected()))
    assert table.header_row == 4
    assert str(table.columns[7]) == "H (EP advice requested)"
    assert table.source == "c.xlsx, sheet Cases"


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", corrected()))
    assert [(c.row, c.reference) for c in cases] == [
        (5, "A1"), (7, "A2"), (8, "A3"), (9, "R1"), (10, "R2"), (11, "R3"), (13, "A4")]


def test_text_dates_excel_dates_and_serials_all_read_as_uk_dates(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", corrected()))
    a1 = by_reference(cases)["A1"]
    assert events(a1) == [("request_received", "2026-07-20"),
                          ("decision_to_assess_notified", "2026-08-28"),
                          ("advice_requested", "2026-09-01")]
    assert a1.events[1].data["outcome"] == "assess"  # "Agreed " with its trailing space
    serial = [i for i in a1.issues if i.kind == "serial_date"]
    assert [(i.row, i.column) for i in serial] == [(5, "F (Decision date)")]


def test_a_blank_outcome_is_inferred_only_where_later_steps_settle_it(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", corrected()))
    a2 = by_reference(cases)["A2"]
    assert events(a2) == [("request_received", "2026-03-02"),
                          ("decision_to_assess_notified", "2026-04-14"),
                          ("final_plan_issued", "2026-07-03")]
    assert [(i.kind, i.column) for i in a2.issues] == [("inferred_outcome", "G (Decision)")]
    assert a2.caseworker == "bob"  # "Bob B. " as the mapping names him


def test_a_decision_with_no_outcome_and_nothing_after_it_is_left_out_as_missing(tmp_path):
    rows = corrected()
    rows[13] = ("A4", "Carol C.", "South", None, "02/11/2026", "20/11/2026", None, *[None] * 7)
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", rows))
    a4 = by_reference(cases)["A4"]
    assert events(a4) == [("request_received", "2026-11-02")]
    assert [(i.kind, i.column, i.blocking) for i in a4.issues] == [
        ("missing_outcome", "G (Decision)", False)]


def test_every_problem_is_reported_at_its_row_and_column(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", bad_rows()))
    report = build_report("c.xlsx", "row", cases)
    found = {(i.row, i.column.split(" ")[0], i.kind) for i in report.blocking}
    assert found == PROBLEMS
    assert {c.reference for c in cases if c.blocked} == {"A3", "R2", "R3", "A4"}
    totals = {t.kind: t.count for t in report.totals()}
    assert totals["out_of_order"] == 1
    assert totals["unknown_word"] == 1


def test_the_impossible_rows_messages_say_what_is_wrong(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", bad_rows()))
    messages = {c.reference: [i.message for i in c.issues if i.blocking] for c in cases}
    assert "dated before request_received on 2026-06-01" in messages["A3"][0]
    assert messages["R2"] == ["a review decision without a review: K (Last AR meeting) is "
                              "blank (give the meeting's date, or map the date as "
                              "plan_last_reviewed)"]
    assert "'31/02/2026' is not a date" in messages["R3"][0]
    assert "'Agreeed' is not a word the mapping knows" in messages["A4"][0]


def test_the_corrected_sheet_has_nothing_that_blocks(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", corrected()))
    assert [c.reference for c in cases if c.blocked] == []


def test_a_year_group_at_a_phase_boundary_infers_next_septembers_transfer(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", corrected()))
    r1 = by_reference(cases)["R1"]
    transfer = [e.data for e in r1.events if e.data["type"] == "phase_transfer_expected"]
    assert transfer == [{"type": "phase_transfer_expected", "from": "primary",
                         "to": "secondary", "transfer_date": "2027-09-01"}]
    assert r1.process == "review"
    assert by_reference(cases)["A1"].process == "assessment"


def test_a_date_after_today_is_impossible(tmp_path):
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", corrected()), as_of=dt.date(2026, 11, 1))
    a4 = by_reference(cases)["A4"]
    assert [(i.kind, i.column) for i in a4.issues] == [
        ("in_the_future", "E (Date request received)")]


def test_dates_before_the_current_rules_need_history_and_then_carry_the_flag(tmp_path):
    rows = corrected()
    rows[9] = ("R1", "Alice A.", "North", None, None, None, None, None, None, "10/01/2013",
               "15/01/2026", "29/01/2026", "Maintain", None)
    path = write_workbook(tmp_path / "c.xlsx", rows)
    _, cases = plan(path)
    r1 = by_reference(cases)["R1"]
    assert [(i.kind, i.column) for i in r1.issues] == [
        ("before_the_act", "J (Final plan issued)")]
    _, cases = plan(path, history=True)
    r1 = by_reference(cases)["R1"]
    assert not r1.blocked
    assert [i.kind for i in r1.issues] == ["history"]
    assert all(e.data["imported"] is True for e in r1.events)
    assert events(r1)[0] == ("final_plan_issued", "2013-01-10")


def test_a_csv_export_reads_the_same_way(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "Caseload export,,,\n"
        "Ref ,Officer,Date request received,Decision date,Decision,Final plan issued\n"
        "A9,Alice A., 20/07/2026 ,28/08/2026,Not agreed,\n"
        ",,,,,\n"
        "A10,Bob B.,02/03/2026,46126,,03/07/2026\n", encoding="utf-8")
    mapping = (
        "sheet: Caseload\nlocal_authority: E10000028\n"
        "columns: {reference: Ref, caseworker: Officer}\n"
        "events: {request_received: Date request received, decision_to_assess_notified: "
        "Decision date, final_plan_issued: Final plan issued}\n"
        "outcomes: {decision_to_assess_notified: {column: Decision, values: "
        "{Not agreed: refuse}}}\n")
    _, cases = plan(path, mapping_text=mapping)
    assert [(c.row, c.reference) for c in cases] == [(3, "A9"), (5, "A10")]
    assert events(cases[0]) == [("request_received", "2026-07-20"),
                                ("decision_to_assess_notified", "2026-08-28")]
    assert cases[0].events[1].data["outcome"] == "refuse"
    assert events(cases[1])[1] == ("decision_to_assess_notified", "2026-04-14")
    with pytest.raises(SheetError, match="c.csv is a CSV file: it has no sheets"):
        plan(path, mapping_text=mapping, sheet="Caseload")


def test_a_repeated_reference_is_impossible_on_its_second_row(tmp_path):
    rows = corrected()
    rows[14] = ("A1", "Alice A.", "North", None, "21/07/2026", *[None] * 9)
    _, cases = plan(write_workbook(tmp_path / "c.xlsx", rows))
    last = cases[-1]
    assert [(i.row, i.kind) for i in last.issues] == [(14, "repeated_reference")]
    assert "already on row 5" in last.issues[0].message


def test_a_sheet_without_the_mapped_columns_says_which_are_missing(tmp_path):
    path = write_workbook(tmp_path / "c.xlsx", corrected())
    with pytest.raises(SheetError, match="'Date of birth'"):
        plan(path, mapping_text=MAPPING.replace("year_group: Year", "year_group: Date of birth"))
    with pytest.raises(SheetError, match="no sheet 'Caseload'.*Read me, Cases"):
        plan(path, sheet="Caseload")


@pytest.mark.parametrize(("text", "message"), [
    ("local_authority: E1\ncolumns: {reference: Ref}\nevents: {request: X}\n",
     "'request' is not an event a row can date"),
    ("local_authority: E1\ncolumns: {reference: Ref}\nevents: {case_closed: X}\n"
     "outcomes: {case_closed: {column: Y, values: {Gone: vanished}}}\n",
     "'Gone' -> 'vanished' is not one of plan_ceased"),
    ("local_authority: E1\ncolumns: {reference: Ref}\ncolour: blue\n",
     "colour: Extra inputs are not permitted"),
    ("local_authority: [E1\n", "not valid YAML at line"),
    ("local_authority: E1\ncolumns: {reference: Ref}\nadvice: [{requested: X}]\n",
     "give either 'adviser'"),
])
def test_a_mapping_that_cannot_be_used_says_where(text, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(text)


ADVISER_MAPPING = (
    "local_authority: E10000028\n"
    "columns: {reference: Ref}\n"
    "advice:\n"
    "  - {adviser_column: Adviser, requested: Asked, received: Came}\n"
    "advisers: {SALT: health}\n")


def adviser_rows(tmp_path, *rows):
    path = tmp_path / "a.csv"
    path.write_text("Ref,Adviser,Asked,Came\n" + "".join(f"{r}\n" for r in rows),
                    encoding="utf-8")
    return path


def test_advisers_are_named_by_their_type_from_the_councils_words(tmp_path):
    path = adviser_rows(tmp_path, "A1,Ed Psych,01/09/2026,20/10/2026", "A2,Senco ,01/09/2026,")
    _, cases = plan(path, mapping_text=ADVISER_MAPPING)
    assert [e.data.get("advisor") for c in cases for e in c.events] == [
        "educational_psychologist", "educational_psychologist", "school"]
    assert [c.issues for c in cases] == [(), ()]


def test_an_unknown_adviser_or_a_health_adviser_without_its_organisation_blocks(tmp_path):
    path = adviser_rows(tmp_path, "A1,Dietician,01/09/2026,", "A2,SALT,01/09/2026,")
    _, cases = plan(path, mapping_text=ADVISER_MAPPING)
    assert [(i.row, i.column, i.kind) for c in cases for i in c.issues] == [
        (2, "B (Adviser)", "unknown_word"), (3, "B (Adviser)", "no_organisation")]
    assert "unknown adviser 'Dietician'" in cases[0].issues[0].message
    mapping = ADVISER_MAPPING.replace("Came}", "Came, organisation: Midshire NHS Trust}")
    _, cases = plan(path, mapping_text=mapping)
    assert cases[1].events[0].data == {"type": "advice_requested", "date": "2026-09-01",
                                       "advisor": "health", "organisation": "Midshire NHS Trust"}
