"""The SEN2 return on the hand-built caseload: the XML valid against our schema and right
item by item, the workbook, the validation report, and who may read person records."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from lxml import etree
from sqlalchemy import select

from cli.main import main
from db.schema import AuditEntry
from db.session import unit_of_work
from engine.person import upn_check_letter
from reports.sen2_workbook import write_sen2_workbook
from reports.sen2_xml import schema
from services.errors import Forbidden, InvalidInput, NotFound
from services.person import set_person, show_person
from services.sen2 import sen2_return
from tests.reporting.dataset import HARTLEPOOL, STAFFS, ev, load

CREATED = dt.datetime(2027, 1, 25, 9, 30, tzinfo=dt.UTC)
# 2027 collection: calendar year 2026; census the third Thursday of January 2027.
CENSUS = "2027-01-21"
# A refused request, mediation and then an appeal (RequestMediation/RequestTribunal).
MEDIATED = {"H": ("bob", STAFFS, [
    ev("request_received", "2026-03-02", requester="parent"),
    ev("decision_to_assess_notified", "2026-04-10", outcome="refuse"),
    ev("decision_letter_sent", "2026-04-10", decision="refuse_to_assess"),
    ev("mediation_requested", "2026-05-01"),
    ev("appeal_registered", "2026-06-01"),
])}
# UPN check letter by hand: 8*2+2*3+0*4+2*5+0*6+0*7+1*8+0*9+1*10+0*11+0*12+1*13 = 63;
# 63 mod 23 = 17, the 18th of ABCDEFGHJKLMNPQRTUVWXYZ: U.
UPN_A = "U820200101001"
SCHOOL = {"urn": "124000", "rank": 1, "entry_date": "2025-09-03"}


def person(surname, **extra):
    return {"surname": surname, "forename": "Test", "birth_date": "2015-04-01", "sex": "F",
            "ethnicity": "WBRI", "postcode": "st16 2lp", "uln": "1234567890",
            "sen_needs": ["ASD", "SLCN"], "placements": [SCHOOL], **extra}


RECORDS = {
    "A": person("Ash", upn=UPN_A, personal_budget=True,
                placements=[SCHOOL, {"setting": "EHE", "rank": 2}]),
    "B": person("Birch"), "C": person("Cedar"), "D": person("Damson"), "E": person("Elm"),
    "F": person("Fir"), "H": person("Hazel"),
}


@pytest.fixture
def recorded(staffed):
    load(staffed)
    load(staffed, MEDIATED)
    for ref, fields in RECORDS.items():
        set_person(staffed, ref, fields, actor="alice")
    set_person(staffed, "G", person("Gean"), actor="dave")
    return staffed


def sen2(engine, la=STAFFS, actor="alice"):
    return sen2_return(engine, year=2027, la_code=la, lea="860", actor=actor, created=CREATED)


def child(root, surname):
    (found,) = [p for p in root.findall("Persons/Person") if p.findtext("Surname") == surname]
    return found


def items(element):
    return {c.tag: c.text for c in element if len(c) == 0}


def test_xml_is_valid_and_right_item_by_item(recorded):
    result = sen2(recorded)
    root = etree.fromstring(result.xml)
    assert schema().validate(root), schema().error_log
    assert items(root.find("Header/CollectionDetails")) == {
        "Collection": "SEN2", "Year": "2027", "ReferenceDate": CENSUS}
    assert items(root.find("Header/Source"))["LEA"] == "860"
    assert sorted(p.findtext("Surname") for p in root.findall("Persons/Person")) == [
        "Ash", "Birch", "Cedar", "Damson", "Elm", "Fir", "Hazel"]  # not Hartlepool's Gean
    a = child(root, "Ash")
    assert items(a) == {"Surname": "Ash", "Forename": "Test", "PersonBirthDate": "2015-04-01",
                        "Sex": "F", "Ethnicity": "WBRI", "PostCode": "ST16 2LP", "UPN": UPN_A,
                        "UniqueLearnerNumber": "1234567890"}
    (request,) = a.findall("Requests")
    assert items(request) == {"ReceivedDate": "2026-01-05", "RequestSource": "1", "RYA": "0",
                              "RequestOutcomeDate": "2026-02-16", "RequestOutcome": "A",
                              "RequestMediation": "0", "RequestTribunal": "0"}
    assert items(request.find("Assessment")) == {
        "AssessmentOutcome": "Y", "AssessmentOutcomeDate": "2026-05-25",
        "AssessmentMediation": "0", "AssessmentTribunal": "0", "OtherMediation": "0",
        "OtherTribunal": "0", "Week20": "0"}
    assert items(request.find("Assessment/NamedPlan")) == {"StartDate": "2026-05-25",
                                                           "PlanWPB": "0", "PB": "1"}
    details = request.findall("Assessment/NamedPlan/PlanDetail")
    assert [items(d) for d in details] == [
        {"URN": "124000", "PlacementRank": "1", "SENunitIndicator": "0",
         "ResourcedProvisionIndicator": "0"},
        {"SENSetting": "EHE", "PlacementRank": "2", "SENunitIndicator": "0",
         "ResourcedProvisionIndicator": "0"}]
    active = request.find("ActivePlans")
    assert items(active) == {"WPB": "0"}  # no review yet, not transferred in
    assert [items(n) for n in active.findall("SENneed")] == [
        {"SENtype": "ASD", "SENtypeRank": "1"}, {"SENtype": "SLCN", "SENtypeRank": "2"}]
    assert items(active.find("PlacementDetail"))["EntryDate"] == "2025-09-03"


def test_derived_items_come_from_the_log(recorded):
    root = etree.fromstring(sen2(recorded).xml)
    b = child(root, "Birch").find("Requests")
    assert b.findtext("RequestSource") == "2"  # requester=school
    c = child(root, "Cedar").find("Requests")
    assert c.findtext("RequestSource") is None  # no requester recorded: a validation error
    assert c.findtext("Assessment/Week20") == "1"  # the reg 13(3) exception
    assert [child(root, n).findtext("Requests/RequestSource") for n in ("Damson", "Elm", "Fir")
            ] == ["3", "4", "5"]  # health, social_care, other
    d = child(root, "Damson").find("Requests")
    assert d.findtext("Assessment/NamedPlan/StartDate") == "2026-06-15"  # the correction
    e = child(root, "Elm").find("Requests")  # December 2025 request, 2026 decision and plan
    assert (e.findtext("ReceivedDate"), e.findtext("RequestOutcomeDate")) == (
        "2025-12-01", "2026-01-09")
    f = child(root, "Fir").find("Requests")  # moved to Hartlepool after its plan
    assert items(f.find("Assessment/NamedPlan")) == {
        "StartDate": "2026-02-16", "PlanWPB": "0", "CeaseDate": "2026-04-20", "CeaseReason": "5"}
    assert f.findtext("Exported") is None  # the plan was issued before the move
    h = child(root, "Hazel").find("Requests")
    assert items(h) == {"ReceivedDate": "2026-03-02", "RequestSource": "1", "RYA": "0",
                        "RequestOutcomeDate": "2026-04-10", "RequestOutcome": "B",
                        "RequestMediation": "1", "RequestTribunal": "1"}
    assert h.find("Assessment") is None


def test_the_authority_a_plan_moved_to_reports_it_as_transferred_in(recorded):
    result = sen2(recorded, la=HARTLEPOOL, actor="dave")
    root = etree.fromstring(result.xml)
    assert schema().validate(root), schema().error_log
    (g,) = root.findall("Persons/Person/Requests")
    assert items(g) == {"RYA": "0", "RequestOutcome": "H", "RequestMediation": "0",
                        "RequestTribunal": "0"}
    assert items(g.find("ActivePlans")) == {
        "TransferLA": STAFFS, "WPB": "0", "ReviewMeeting": "2026-06-22", "ReviewOutcome": "1",
        "LastReview": "2026-07-06"}


def test_validation_lists_every_missing_item_per_child(recorded):
    set_person(recorded, "B", {"sen_needs": [], "placements": [], "ethnicity": ""}, actor="bob")
    issues = {(i.case, i.rule) for i in sen2(recorded).issues}
    assert issues == {
        ("C", "S2201"),  # RequestSource mandatory from 2026
        ("B", "S2105"),  # Ethnicity missing
        ("B", "S2501"),  # no SEN type for an active plan
        ("B", "S2301"),  # no placement (twice: plan detail and placement detail)
        ("B", "S2000"),  # and the schema refuses the Person without Ethnicity
    }


def test_workbook_has_one_sheet_per_module(recorded, tmp_path):
    result = sen2(recorded)
    path = tmp_path / "sen2.xlsx"
    write_sen2_workbook(result.people, result.issues, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Person", "Requests", "Assessments", "Named Plan", "Plan Detail",
                               "Active Plan", "Placement Detail", "SEN Need", "Validation"]
    requests = {r[1].value: [c.value for c in r] for r in book["Requests"].iter_rows(min_row=2)}
    assert requests["A/1"][2] == dt.datetime(2026, 1, 5)  # ReceivedDate as a date
    assert requests["H/1"][7:9] == [1, 1]  # mediation and tribunal as numbers
    validation = [[c.value for c in r] for r in book["Validation"].iter_rows(min_row=2)]
    assert validation == [["C", "error", "S2201", "Requests", "RequestSource",
                           validation[0][5]]]


def test_cli_writes_the_xml_and_the_validation_report(recorded, db_env, capsys, tmp_path):
    out, report = tmp_path / "sen2.xml", tmp_path / "validation.tsv"
    code = main(["report", "sen2", "--year", "2027", "--la", STAFFS, "--lea", "860",
                 "--out", str(out), "--validation", str(report), "--user", "alice"])
    err = capsys.readouterr().err
    assert code == 1  # C's missing RequestSource
    assert schema().validate(etree.parse(str(out)))
    lines = report.read_text().splitlines()
    assert lines[1].startswith("C\terror\tS2201\tRequests/RequestSource\t")
    assert lines[1] in err
    assert "7 children; 1 errors" in err


def test_only_staff_of_the_authority_see_or_export_person_records(recorded):
    assert show_person(recorded, "A", viewer="bob").record.surname == "Ash"
    with pytest.raises(NotFound):
        show_person(recorded, "A", viewer="dave")  # Hartlepool: another authority's case
    with pytest.raises(Forbidden):
        show_person(recorded, "A", viewer="mallory")
    with pytest.raises(Forbidden):
        sen2(recorded, actor="dave")


def test_person_changes_and_bulk_reads_are_audited_without_values(recorded):
    sen2(recorded)
    with unit_of_work(recorded) as s:
        entries = s.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("person_record_updated", "person_records_read")))).all()
    reads = [e for e in entries if e.action == "person_records_read"]
    assert [(e.actor, e.detail["records"], e.detail["purpose"]) for e in reads] == [
        ("alice", 7, "SEN2 2027")]
    updates = [e for e in entries if e.action == "person_record_updated"]
    assert len(updates) == 8
    assert "surname" in updates[0].detail["fields"]
    text = repr([e.detail for e in entries])
    assert "Ash" not in text
    assert UPN_A not in text


def test_bad_person_values_are_refused_without_echoing_them(recorded):
    wrong = "A" + UPN_A[1:]
    with pytest.raises(InvalidInput) as caught:
        set_person(recorded, "A", {"upn": wrong}, actor="alice")
    assert "check letter" in str(caught.value)
    assert wrong not in str(caught.value)
    with pytest.raises(InvalidInput, match="unknown"):
        set_person(recorded, "A", {"shoe_size": "4"}, actor="alice")


def test_upn_check_letter_matches_the_hand_computation():
    assert upn_check_letter("820200101001") == "U"
