"""The measures table, the schema's code lists and the docs say the same thing."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine.measures import MEASURES
from engine.person import CODES
from engine.sen2 import SEN2_CODES, collection
from reports.sen2_xml import SCHEMA

ROOT = Path(__file__).resolve().parents[2]
XS = "{http://www.w3.org/2001/XMLSchema}"


def enumeration(name):
    schema = etree.parse(str(SCHEMA))
    (simple,) = schema.findall(f"{XS}simpleType[@name='{name}']")
    return [e.get("value") for e in simple.iter(f"{XS}enumeration")]


def test_docs_list_every_measure_with_its_basis():
    text = (ROOT / "docs" / "reporting.md").read_text()
    for measure in MEASURES:
        assert f"| `{measure.key}` |" in text, measure.key


def test_schema_code_lists_are_the_engines():
    for simple, codes in (("RequestSourceType", SEN2_CODES["RequestSource"]),
                          ("RequestOutcomeType", SEN2_CODES["RequestOutcome"]),
                          ("AssessmentOutcomeType", SEN2_CODES["AssessmentOutcome"]),
                          ("ReviewOutcomeType", SEN2_CODES["ReviewOutcome"]),
                          ("CeaseReasonType", SEN2_CODES["CeaseReason"]),
                          ("SexType", CODES["Sex"]), ("SENtypeType", CODES["SENtype"]),
                          ("ResType", CODES["PlanRes"]), ("UPNunknownType", CODES["UPNunknown"])):
        assert enumeration(simple) == list(codes), simple


def test_collection_year_is_the_calendar_year_before_with_a_january_census():
    coll = collection(2026)
    assert (str(coll.period_start), str(coll.period_end)) == ("2025-01-01", "2025-12-31")
    assert str(coll.census) == "2026-01-15"  # Thursdays in January 2026: 1, 8, 15
    assert str(collection(2027).census) == "2027-01-21"  # 7, 14, 21
