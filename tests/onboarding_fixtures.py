"""A council's caseload workbook as councils really keep them, built for the tests: a
merged title banner, a blank row, merged group headings over the header, blank rows
between cases, UK dates typed as text (with trailing spaces), Excel dates, bare Excel
serial numbers, text dates, and impossible rows in the middle.

``BAD`` rows carry the problems, each at a known row and column; ``corrected()`` is the
same sheet with every problem put right. Staff are ``conftest.seed_staff``'s."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

AS_OF = dt.date(2026, 12, 3)
D = dt.date

MAPPING = """\
sheet: Cases
local_authority: E10000028
columns:
  reference: Ref
  caseworker: Officer
  team: Team
  year_group: Year
events:
  request_received: Date request received
  decision_to_assess_notified: Decision date
  final_plan_issued: Final plan issued
  review_meeting_held: Last AR meeting
  review_decision_notified: AR decision date
outcomes:
  decision_to_assess_notified:
    column: Decision
    values: {Agreed: assess, Not agreed: refuse}
  review_decision_notified:
    column: AR outcome
    values: {Maintain: maintain, Amend: amend, Cease: cease}
advice:
  - adviser: educational_psychologist
    requested: EP advice requested
    received: EP advice received
caseworkers: {Alice A.: alice, Bob B.: bob, Carol C.: carol}
"""

HEADINGS = ("Ref", "Officer", "Team", "Year", "Date request received", "Decision date",
            "Decision", "requested", "received", "Final plan issued", "Last AR meeting",
            "AR decision date", "AR outcome", "Notes")
# Sheet rows 1-4: title (merged A1:N1), blank, group headings (merged H3:I3), header.
FIRST_ROW = 5

# Each entry: sheet row -> cells (None leaves a blank row there).
GOOD = {
    5: ("A1", "Alice A.", "North", "4", "20/07/2026 ", 46262, "Agreed ", D(2026, 9, 1),
        None, None, None, None, None, "open assessment"),
    6: None,
    7: ("A2", "Bob B. ", "North", None, D(2026, 3, 2), "14 April 2026", None, None, None,
        "03/07/2026", None, None, None, None),
    9: ("R1", "Alice A.", "North", "Year 6", None, None, None, None, None, D(2024, 1, 10),
        "15/01/2026", "29/01/2026", "Maintain", None),
    12: None,
    13: ("A4", "Carol C.", "South", None, "02/11/2026", None, None, None, None, None, None,
         None, None, "request only"),
}
# The same cases, wrong: (sheet row, column letter, issue kind) of each problem.
BAD = {
    8: ("A3", "Carol C.", "South", None, "01/06/2026", None, None, None, None, "20/05/2026",
        None, None, None, "final plan before its request"),
    10: ("R2", "Bob B.", "North", None, None, None, None, None, None, None, None,
         "10/02/2026", "Amend", "decision without a review"),
    11: ("R3", "Carol C.", "South", None, None, None, None, None, None, "12/03/2021",
         "31/02/2026", None, None, "no such day"),
    13: ("A4", "Carol C.", "South", None, "02/11/2026", "20/11/2026", "Agreeed", None, None,
         None, None, None, None, "misspelt outcome"),
}
PROBLEMS = {(8, "J", "out_of_order"), (10, "L", "without_its_step"), (11, "K", "bad_date"),
            (13, "G", "unknown_word")}
FIXED = {
    8: ("A3", "Carol C.", "South", None, "01/06/2026", None, None, None, None, None, None,
        None, None, "final plan not yet"),
    10: ("R2", "Bob B.", "North", None, None, None, None, None, None, None, "27/01/2026",
         "10/02/2026", "Amend", None),
    11: ("R3", "Carol C.", "South", None, None, None, None, None, None, "12/03/2021",
         "28/02/2026", None, None, None),
}


# A person-level SEN2 return in the element names ``ehc report sen2`` writes: a plan made
# and reviewed, an assessment under way, and an older plan known by its last review.
SEN2 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>SEN2</Collection><Year>2026</Year>
      <ReferenceDate>2026-01-15</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>E10000028</LEA><SoftwareCode>other</SoftwareCode>
      <Release>1</Release><SerialNo>1</SerialNo><DateTime>2026-01-20T09:00:00</DateTime></Source>
  </Header>
  <Persons>
    <Person>
      <Surname>Smith</Surname><Forename>Ann</Forename><PersonBirthDate>2014-03-01</PersonBirthDate>
      <Sex>F</Sex><Ethnicity>WBRI</Ethnicity><PostCode>ST1 1AA</PostCode>
      <UPN>A123456789012</UPN>
      <Requests>
        <ReceivedDate>2025-01-06</ReceivedDate><RequestSource>2</RequestSource><RYA>0</RYA>
        <RequestOutcomeDate>2025-02-10</RequestOutcomeDate><RequestOutcome>A</RequestOutcome>
        <RequestMediation>0</RequestMediation><RequestTribunal>0</RequestTribunal>
        <Assessment>
          <AssessmentOutcome>Y</AssessmentOutcome>
          <AssessmentOutcomeDate>2025-05-20</AssessmentOutcomeDate>
          <AssessmentMediation>0</AssessmentMediation><AssessmentTribunal>0</AssessmentTribunal>
          <OtherMediation>0</OtherMediation><OtherTribunal>0</OtherTribunal>
          <Week20>0</Week20>
          <NamedPlan><StartDate>2025-05-20</StartDate>
            <PlanDetail><PlacementRank>1</PlacementRank><SENunitIndicator>0</SENunitIndicator>
              <ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlanDetail>
          </NamedPlan>
        </Assessment>
        <ActivePlans>
          <ReviewMeeting>2025-12-01</ReviewMeeting><ReviewOutcome>2</ReviewOutcome>
          <LastReview>2025-12-15</LastReview>
          <PlacementDetail><PlacementRank>1</PlacementRank><SENunitIndicator>0</SENunitIndicator>
            <ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlacementDetail>
          <SENneed><SENtype>ASD</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
        </ActivePlans>
      </Requests>
    </Person>
    <Person>
      <Surname>Jones</Surname><Forename>Bo</Forename><PersonBirthDate>2019-09-09</PersonBirthDate>
      <Sex>M</Sex><Ethnicity>WBRI</Ethnicity><PostCode>ST2 2BB</PostCode>
      <UPNunknown>UN2</UPNunknown>
      <Requests>
        <ReceivedDate>2025-11-03</ReceivedDate><RequestSource>1</RequestSource><RYA>0</RYA>
        <RequestOutcomeDate>2025-12-08</RequestOutcomeDate><RequestOutcome>A</RequestOutcome>
        <RequestMediation>0</RequestMediation><RequestTribunal>0</RequestTribunal>
      </Requests>
    </Person>
    <Person>
      <Surname>Khan</Surname><Forename>Cy</Forename><PersonBirthDate>2010-01-01</PersonBirthDate>
      <Sex>M</Sex><Ethnicity>ABAN</Ethnicity><PostCode>ST3 3CC</PostCode>
      <UniqueLearnerNumber>1234567890</UniqueLearnerNumber>
      <Requests>
        <RYA>0</RYA><RequestOutcome>H</RequestOutcome>
        <RequestMediation>0</RequestMediation><RequestTribunal>0</RequestTribunal>
        <ActivePlans><LastReview>2025-03-01</LastReview>
          <PlacementDetail><PlacementRank>1</PlacementRank><SENunitIndicator>0</SENunitIndicator>
            <ResourcedProvisionIndicator>0</ResourcedProvisionIndicator></PlacementDetail>
          <SENneed><SENtype>MLD</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
        </ActivePlans>
      </Requests>
    </Person>
  </Persons>
</Message>
"""


def bad_rows() -> dict[int, tuple | None]:
    return {**GOOD, **BAD}


def corrected() -> dict[int, tuple | None]:
    return {**GOOD, **FIXED}


def write_workbook(path: Path, rows: dict[int, tuple | None], *, sheet: str = "Cases") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Read me"
    ws["A1"] = "exported from the case management system"
    cases = book.create_sheet(sheet)
    cases["A1"] = "SEND caseload at 03/12/2026  "
    cases.merge_cells("A1:N1")
    cases["H3"] = "EP advice"
    cases.merge_cells("H3:I3")
    for column, heading in enumerate(HEADINGS, start=1):
        # Trailing spaces and a second space, as typed.
        cases.cell(4, column, heading + (" " if column % 3 == 0 else ""))
    for number, cells in rows.items():
        for column, value in enumerate(cells or (), start=1):
            cell = cases.cell(number, column, value)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    book.save(path)
    return path


def write_mapping(folder: Path) -> Path:
    path = folder / "mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path
