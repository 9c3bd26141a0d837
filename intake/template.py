"""``ehc import --template DIR``: a starter ``mapping.yaml`` and an ``example.xlsx`` laid out
the way councils keep their caseload (a title banner, merged group headings, UK dates as
text and as Excel dates, the council's own words), which import as they stand once the
caseworkers the mapping names exist (``ehc staff ...``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from intake.sheet import Cell
from intake.workbook import write_caseload

MAPPING = """\
# How our caseload workbook says what happened (docs/import-format.md, "A council's own
# layout"). Column names are matched with spaces trimmed and case ignored; a column under
# a merged group heading is found by both ("EP advice" over "requested").
sheet: Caseload
local_authority: E10000028          # the authority's ONS code (ehc staff la ...)
process: auto                       # a row with a plan or a review is a review case
date_formats: ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]

columns:
  reference: EHC reference
  caseworker: Caseworker
  team: Team
  year_group: NCY                   # year 6, 11 or N2: the phase transfer next September

events:                             # event type: the column holding its date
  request_received: Date request received
  decision_to_assess_notified: Decision date
  draft_plan_served: Draft plan issued
  final_plan_issued: Final plan issued
  review_meeting_held: Last AR meeting
  review_decision_notified: AR decision date

outcomes:                           # our words for each decision's outcome
  decision_to_assess_notified:
    column: Decision
    values: {Agreed: assess, Not agreed: refuse, Refused: refuse}
  review_decision_notified:
    column: AR outcome
    values: {Maintain: maintain, Amend: amend, Cease: cease}

advice:                             # one entry per adviser's pair of dates
  - adviser: educational_psychologist
    requested: EP advice requested
    received: EP advice received
  - adviser: health                 # health and "other" advice names its organisation
    organisation: Midshire ICB
    requested: Health advice requested
    received: Health advice received
  - adviser_column: Other adviser   # our words there, below (EP, SENCO... are known)
    organisation: Midshire NHS Trust
    requested: Other advice requested
    received: Other advice received

advisers:                           # our words -> the adviser types (docs/case-format.md)
  SALT: health
  OT: health
  Social care: social_care

caseworkers:                        # the names we write -> ehc usernames
  Jo Bloggs: jbloggs
  Sam Patel: spatel
"""

HEADINGS = (
    "EHC reference", "Caseworker", "Team", "NCY", "Date request received", "Decision date",
    "Decision", "requested", "received", "requested", "received", "Other adviser",
    "Other advice requested", "Other advice received", "Draft plan issued",
    "Final plan issued", "Last AR meeting", "AR decision date", "AR outcome", "Notes",
)
GROUPS = (("EP advice", 8, 9), ("Health advice", 10, 11))
D = dt.date
EXAMPLE: tuple[tuple[Cell, ...], ...] = (
    ("EHC-2026-0101", "Jo Bloggs", "North", "Year 4", "05/10/2026 ", None, None, None, None,
     None, None, None, None, None, None, None, None, None, None, "request from parent"),
    ("EHC-2026-0088", "Sam Patel", "South", "2", D(2026, 7, 14), D(2026, 8, 21), "Agreed",
     D(2026, 8, 24), "02/10/2026", D(2026, 8, 24), None, "SALT", "25/08/2026", None,
     "20 November 2026", None, None, None, None, "health advice chased"),
    ("EHC-2025-0410", "Jo Bloggs", "North", "6", D(2025, 3, 3), D(2025, 4, 11), "Agreed",
     D(2025, 4, 14), D(2025, 5, 23), D(2025, 4, 14), D(2025, 5, 20), None, None, None,
     D(2025, 6, 13), D(2025, 7, 15), D(2026, 6, 19), D(2026, 7, 1), "Maintain", None),
    ("EHC-2019-0033", "Sam Patel", "South", "11", None, None, None, None, None, None, None,
     None, None, None, None, "12/03/2019", "09/01/2026", "23/01/2026", "Amend ", None),
    ("EHC-2026-0120", "Jo Bloggs", "North", "1", "01/09/2026", 46307, "Not agreed", None,
     None, None, None, None, None, None, None, None, None, None, None, "appeal likely"),
)


def write_template(folder: Path) -> tuple[Path, Path]:
    """Write ``mapping.yaml`` and ``example.xlsx`` into ``folder`` (made if need be)."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    example = folder / "example.xlsx"
    write_caseload(example, title="SEND caseload export (example)", groups=GROUPS,
                   headings=HEADINGS, rows=EXAMPLE)
    return mapping, example
