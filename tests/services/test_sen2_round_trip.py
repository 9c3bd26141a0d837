"""A SEN2 return written by ``ehc report sen2`` and read back by ``ehc import --sen2``
builds a caseload whose own return says the same about every request, assessment and
plan: the dates and outcomes the return carries survive the round trip."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from services.onboarding import import_sen2
from services.sen2 import sen2_return
from tests.reporting.dataset import STAFFS, load

CREATED = dt.datetime(2027, 1, 25, 9, 30, tzinfo=dt.UTC)
# What the return says of the case rather than of the child (names and numbers are the
# person record's, which an import does not invent). ``Week20`` says only that *an*
# exception applied, not which: the import reports it missing instead of inventing one.
CASE_ITEMS = ("ReceivedDate", "RequestOutcomeDate", "RequestOutcome", "AssessmentOutcome",
              "AssessmentOutcomeDate", "StartDate", "ReviewMeeting", "LastReview",
              "CeaseDate")


def requests(xml: bytes) -> list[dict[str, str]]:
    root = etree.fromstring(xml)
    found = []
    for request in root.iter("Requests"):
        values = {el.tag: el.text or "" for el in request.iter() if el.tag in CASE_ITEMS}
        found.append(values)
    return sorted(found, key=lambda v: sorted(v.items()))


def test_a_return_read_back_gives_the_same_return(staffed, fresh_sqlite_engine, tmp_path):
    load(staffed)
    first = sen2_return(staffed, year=2027, la_code=STAFFS, lea="860", actor="alice",
                        created=CREATED)
    path = tmp_path / "sen2.xml"
    path.write_bytes(first.xml)
    done = import_sen2(fresh_sqlite_engine, path, actor="officer", as_of=dt.date(2027, 1, 25),
                       dry_run=False, caseworker="alice", la_code=STAFFS)
    assert done.written
    again = sen2_return(fresh_sqlite_engine, year=2027, la_code=STAFFS, lea="860",
                        actor="alice", created=CREATED)
    assert requests(first.xml)
    assert requests(again.xml) == requests(first.xml)
    excepted = etree.fromstring(first.xml).xpath("count(//Week20[text()='1'])")
    assert excepted >= 1
    unsaid = [i for i in done.report.issues if i.kind == "not_in_return" and
              "exception applied to the 20 weeks" in i.message]
    assert len(unsaid) == excepted
