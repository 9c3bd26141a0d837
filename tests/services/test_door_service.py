"""The door (issue 13), through the services every entry point calls, on SQLite and
PostgreSQL alike: bad input is one ``InvalidInput`` (or an import's problems) naming the
field, never a traceback or a raw ``DataError``, and nothing is written; what one backend
takes the other takes too."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from db.schema import AuditEntry, CaseEventRow
from db.session import unit_of_work
from services import cases, door, staff, store
from services.errors import ImportRefused, InvalidInput

STAFFS = "E10000028"
TODAY = dt.date(2026, 7, 20)
REQUEST = {"type": "request_received", "date": "2026-01-05"}
DEEP: list = []
for _ in range(30):
    DEEP = [DEEP]


def counts(engine):
    with unit_of_work(engine) as session:
        return (session.scalar(select(func.count()).select_from(CaseEventRow)),
                session.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.fixture
def opened(staffed):
    cases.open_case(staffed, "C1", process="assessment", caseworker="alice", la_code=STAFFS,
                    actor="alice")
    cases.record_events(staffed, "C1", [REQUEST], recorded_by="alice", as_of=TODAY)
    return staffed


def record(engine, *events, **options):
    return cases.record_events(engine, "C1", list(events), recorded_by="alice", as_of=TODAY,
                               **options)


def dated(kind, day, **fields):
    return {"type": kind, "date": day, **fields}


@pytest.mark.parametrize(
    ("event", "field", "message"),
    [
        (dated("decision_to_assess_notified", "2026-07-21", outcome="assess"), "date",
         "2026-07-21 is after today (2026-07-20)"),
        (dated("child_date_of_birth", "2026-08-01"), "date", "is after today"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               received_on="2026-09-01"), "received_on", "received_on: 2026-09-01 is after"),
        (dated("decision_to_assess_notified", "9999-12-31", outcome="assess"), "date",
         "outside the dates the engine counts with"),
        (dated("decision_to_assess_notified", "20/07/2026", outcome="assess"), "date",
         "'20/07/2026' is not a date written YYYY-MM-DD (e.g. 2026-07-20 for 20/07/2026)"),
        (dated("decision_to_assess_notified", 0, outcome="assess"), "date",
         "not the number 0"),
        (dated("la_became_responsible", "2014-08-31"), "date",
         "before the Children and Families Act 2014 Part 3"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               recorded_by="mallory"), "recorded_by", "recorded_by is not an event field"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               recorded_at="2020-01-01T00:00:00Z"), "recorded_at", "not an event field"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               imported_recorded_by="mallory"), "imported_recorded_by", "not an event field"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               advice_id="a" * 191), "advice_id", "191 characters is longer than the 190"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               note="nul \x00 here"), "note", "is a NUL"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               note="bad \ud800"), "note", "lone surrogate"),
        (dated("advice_requested", "2026-02-01", advisor="educational_psychologist",
               deep=DEEP), "deep", "nested more than 20 levels deep"),
        (dated("exception_recorded", "2026-02-01", ground="covid_2020",
               applies_to=["final_plan", "nope"]), "applies_to",
         "applies_to: unknown 'nope': expected one or more of decision_to_assess, "),
    ],
    ids=["future", "birth-in-future", "received-in-future", "year-9999", "uk-date",
         "date-0", "before-the-act", "recorded_by", "recorded_at", "imported_recorded_by",
         "advice-id-too-long", "nul", "surrogate", "deep", "applies_to"],
)
def test_a_bad_event_is_one_message_naming_its_field_and_nothing_is_written(
    opened, event, field, message
):
    before = counts(opened)
    with pytest.raises(InvalidInput) as refused:
        record(opened, event)
    assert message in str(refused.value)
    assert (refused.value.field, refused.value.index) == (field, 0)
    if field == "applies_to":  # one clause, not "applies_to.1: ...; applies_to: ..."
        assert str(refused.value).count("applies_to") == 1
    assert counts(opened) == before
    assert cases.case_view(opened, "C1", as_of=TODAY).seq == 1


def test_a_plan_may_lie_ahead_when_it_is_recorded_as_known_today(opened):
    """The meeting and the transfer are in the future; the events that record them are
    dated today. An imported history may record a request from before the Act."""
    done = record(opened,
                  {"type": "phase_transfer_expected", "from": "primary", "to": "secondary",
                   "transfer_date": "2027-09-01"},
                  dated("advice_requested", "2026-07-20", advisor="educational_psychologist",
                        advice_id="a" * door.ADVICE_ID_MAX))
    assert done.seq == 3
    cases.open_case(opened, "R1", process="review", caseworker="alice", la_code=STAFFS,
                    actor="alice")
    cases.record_events(opened, "R1", [dated("plan_last_reviewed", "2025-09-01"),
                                       dated("review_meeting_scheduled", "2026-07-20",
                                             meeting_date="2026-09-15")],
                        recorded_by="alice", as_of=TODAY)
    cases.open_case(opened, "OLD", process="assessment", caseworker="alice", la_code=STAFFS,
                    actor="alice")
    cases.record_events(opened, "OLD", [dated("request_received", "2014-03-03",
                                              imported=True)],
                        recorded_by="alice", as_of=TODAY)


@pytest.mark.parametrize(
    ("reference", "message"),
    [("R" * 101, "case: 101 characters is longer than the 100 allowed"),
     ("A1\r\nBcc: everyone@example.com", "character 3 ('\\r') is a control character"),
     ("A1\nB", "('\\n') is a control character"),
     ("A\x00", "('\\x00') is a control character"),
     ("A\ud800", "not valid text")],
    ids=["too-long", "crlf", "lf", "nul", "surrogate"],
)
def test_a_case_reference_is_one_line_of_printable_text_within_its_column(
    staffed, reference, message
):
    before = counts(staffed)
    with pytest.raises(InvalidInput, match="^case: ") as refused:
        cases.open_case(staffed, reference, process="assessment", caseworker="alice",
                        la_code=STAFFS, actor="alice")
    assert message in str(refused.value)
    assert refused.value.field == "case"
    assert counts(staffed) == before
    assert cases.open_case(staffed, "R" * 100, process="assessment", caseworker="alice",
                           la_code=STAFFS, actor="alice") == "R" * 100


def test_who_is_acting_fits_its_column_on_both_backends(opened):
    before = counts(opened)
    for act in (
        lambda: cases.record_events(opened, "C1", [dated("child_date_of_birth", "2015-01-01")],
                                    recorded_by="u" * 101, as_of=TODAY),
        lambda: cases.open_case(opened, "C2", process="assessment", caseworker="alice",
                                la_code=STAFFS, actor="u" * 101),
        lambda: cases.reassign_case(opened, "C1", "bob\x00", actor="alice"),
        lambda: cases.case_view(opened, "C1\x00", as_of=TODAY),
        lambda: cases.record_events(opened, "C1", [REQUEST], recorded_by="alice", as_of=TODAY,
                                    expected_seq=-1),
    ):
        with pytest.raises(InvalidInput) as refused:
            act()
        assert refused.value.field in ("user", "caseworker", "case", "expected_seq")
    assert counts(opened) == before


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda e: staff.add_caseworker(e, "zed", "Zed\r\nBcc: all@example.com", team="North",
                                        actor="setup", email="zed@staffs.example"), "name"),
        (lambda e: staff.add_caseworker(e, "z" * 101, "Zed", team="North", actor="setup"),
         "username"),
        (lambda e: staff.add_caseworker(e, "zed", "Zed", team="North", actor="setup",
                                        email="zed\x00@staffs.example"), "email"),
        (lambda e: staff.add_team(e, STAFFS, "West", actor="setup",
                                  manager_email="m@staffs.example\nBcc: x@example.com"),
         "manager_email"),
        (lambda e: staff.add_la(e, "E0000000X", "Somewhere", actor="setup",
                                head_name="H" * 201), "head_name"),
        (lambda e: staff.caseworker_leaves(e, "alice", "bob\n", actor="setup"), "successor"),
    ],
    ids=["name-crlf", "username-too-long", "email-nul", "manager-email-lf", "head-too-long",
         "successor-lf"],
)
def test_staff_names_and_addresses_are_one_line_within_their_columns(staffed, call, field):
    before = counts(staffed)
    with pytest.raises(InvalidInput) as refused:
        call(staffed)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")
    assert counts(staffed) == before


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CSV_HEAD = "case,la,process,caseworker,type,date\n"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("huge.csv", CSV_HEAD + "C9,E10000028,assessment,alice,request_received,"
         + "x" * 140_000 + "\n", "line 2: a cell longer than 131,072 characters"),
        ("deep.json", '{"reference": "C9", "events": [' + "[" * 50_000 + "]" * 50_000 + "]}",
         "JSON nested too deeply to read"),
        ("deep.jsonl", '{"reference": "C9", "events": [' + "[" * 50_000 + "]" * 50_000 + "]}",
         "line 1: JSON nested too deeply"),
        ("deep.csv", "case,type,fields\nC9,request_received," + "[" * 50_000 + "\n",
         "column 'fields': JSON nested too deeply"),
    ],
    ids=["csv-huge-cell", "json-deep", "jsonl-deep", "csv-deep-cell"],
)
def test_an_import_file_that_cannot_be_read_is_bad_input(staffed, tmp_path, name, text,
                                                          message):
    before = counts(staffed)
    with pytest.raises(InvalidInput, match=message) as refused:
        store.import_file(staffed, write(tmp_path, name, text), actor="importer", as_of=TODAY)
    assert refused.value.field == "file"
    assert counts(staffed) == before


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("C9,E10000028,assessment,alice,request_received,2026-07-21",
         "case C9: request_received: date: 2026-07-21 is after today (2026-07-20)"),
        ("C9,E10000028,assessment,alice,request_received,20/07/2026",
         "'20/07/2026' is not a date written YYYY-MM-DD (e.g. 2026-07-20 for 20/07/2026)"),
        ("C9,E10000028,assessment,alice,request_received,9999-12-31",
         "9999-12-31 is outside the dates the engine counts with"),
        ("C9,E10000028,assessment,alice,request_received,2014-08-31",
         "before the Children and Families Act 2014 Part 3"),
        ("C" * 101 + ",E10000028,assessment,alice,request_received,2026-01-05",
         "case 'CCCC"),
        ('"C9\nBcc: x",E10000028,assessment,alice,request_received,2026-01-05',
         "is a control character"),
        ("C9,E10000028,assessment," + "a" * 101 + ",request_received,2026-01-05",
         "caseworker 'aaaa"),
    ],
    ids=["future", "uk-date", "year-9999", "before-the-act", "long-reference", "crlf-reference",
         "long-caseworker"],
)
def test_an_import_with_bad_rows_names_each_and_writes_nothing(staffed, tmp_path, rows,
                                                               problem):
    before = counts(staffed)
    path = write(tmp_path, "load.csv", CSV_HEAD + "C8,E10000028,assessment,alice,"
                 "request_received,2026-01-05\n" + rows + "\n")
    with pytest.raises(ImportRefused) as refused:
        store.import_file(staffed, path, actor="importer", as_of=TODAY)
    assert any(problem in p for p in refused.value.problems), refused.value.problems
    assert len(refused.value.problems) == 1
    assert counts(staffed) == before


def test_an_import_of_the_act_s_old_law_needs_imported_true_and_nul_or_surrogates_refused(
    staffed, tmp_path
):
    good = {"reference": "OLD", "local_authority": STAFFS, "process": "assessment",
            "caseworker": "alice", "events": [dated("request_received", "2014-03-03",
                                                    imported=True)]}
    nul = {**good, "reference": "N\x00"}
    surrogate = {**good, "reference": "S\ud800"}
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([good, nul, surrogate]), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        store.import_file(staffed, path, actor="importer", as_of=TODAY)
    assert [p.split(": ")[0] for p in refused.value.problems] == [
        "case document #2", "case document #3"]
    path.write_text(json.dumps([good]), encoding="utf-8")
    assert store.import_file(staffed, path, actor="importer", as_of=TODAY).events_added == 1


def test_the_recorder_is_the_importer_and_an_export_s_author_is_kept_apart(staffed, tmp_path):
    """``recorded_by`` in a file (as ``ehc export`` writes it) never becomes the recorder:
    it is kept as ``imported_recorded_by``; export shows who recorded it here."""
    path = write(tmp_path, "load.csv", "case,la,process,caseworker,type,date,recorded_by,"
                 "recorded_at\nC9,E10000028,assessment,alice,request_received,2026-01-05,"
                 "mallory,2020-01-01T00:00:00Z\n")
    assert store.import_file(staffed, path, actor="importer", as_of=TODAY).events_added == 1
    [event] = store.export(staffed, "C9")["cases"][0]["events"]
    assert event["recorded_by"] == "importer"
    assert event["imported_recorded_by"] == "mallory"
    assert event["imported_recorded_at"] == "2020-01-01T00:00:00Z"
    assert event["recorded_at"] != "2020-01-01T00:00:00Z"
    view = cases.case_view(staffed, "C9", as_of=TODAY)
    assert view.timeline[0].recorded_by == "importer"
    # The same file again adds nothing: who recorded it elsewhere is not what it says.
    assert store.import_file(staffed, path, actor="importer", as_of=TODAY).events_added == 0
