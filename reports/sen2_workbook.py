"""The SEN2 pre-submission workbook: the same data as the XML, one sheet per module.

Sheet names are the DfE pre-submission workbook's (Person, Requests, Assessments, Named
Plan, Plan Detail, Active Plan, Placement Detail, SEN Need), columns the XML item names,
plus ids tying the rows together (the case reference, and ``case/n`` for the n-th
request) and a Validation sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from engine.sen2 import Request, Sen2Person
from engine.sen2_checks import Issue
from reports.sen2_items import (
    Items,
    active_plan_items,
    assessment_items,
    named_plan_items,
    need_items,
    person_items,
    placement_items,
    request_items,
)
from reports.workbook import Sheet, write_sheets

PLACEMENT = ("URN", "UKPRN", "SENSetting", "SENSettingOther", "PlacementRank", "EntryDate",
             "LeavingDate", "SENunitIndicator", "ResourcedProvisionIndicator")
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "Person": ("PersonID", "Surname", "Forename", "PersonBirthDate", "Sex", "Ethnicity",
               "PostCode", "UPN", "UniqueLearnerNumber", "UPNunknown"),
    "Requests": ("PersonID", "RequestID", "ReceivedDate", "RequestSource", "RYA",
                 "RequestOutcomeDate", "RequestOutcome", "RequestMediation", "RequestTribunal",
                 "Exported"),
    "Assessments": ("RequestID", "AssessmentOutcome", "AssessmentOutcomeDate",
                    "AssessmentMediation", "AssessmentTribunal", "OtherMediation",
                    "OtherTribunal", "Week20"),
    "Named Plan": ("RequestID", "StartDate", "PlanRes", "PlanWPB", "PB", "OA", "DP",
                   "CeaseDate", "CeaseReason"),
    "Plan Detail": ("RequestID", *PLACEMENT),
    "Active Plan": ("RequestID", "TransferLA", "RES", "WPB", "ReviewMeeting", "ReviewOutcome",
                    "LastReview"),
    "Placement Detail": ("RequestID", *PLACEMENT),
    "SEN Need": ("RequestID", "SENtype", "SENtypeRank"),
    "Validation": ("PersonID", "Severity", "Rule", "Module", "Item", "Message"),
}


def _row(items: Items, **ids: str) -> dict[str, Any]:
    return {**ids, **{name: int(v) if isinstance(v, bool) else v for name, v in items}}


def module_rows(people: Sequence[Sen2Person]) -> dict[str, list[dict[str, Any]]]:
    """Rows per sheet (dates as dates, flags as 0/1 numbers)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    for person in people:
        rows["Person"].append(_row(person_items(person.record), PersonID=person.case))
        for n, request in enumerate(person.requests, start=1):
            _request_rows(rows, person, f"{person.case}/{n}", request)
    return rows


def _request_rows(
    rows: dict[str, list[dict[str, Any]]], person: Sen2Person, rid: str, request: Request
) -> None:
    rows["Requests"].append(_row(request_items(request), PersonID=person.case, RequestID=rid))
    assessment = request.assessment
    if assessment is not None:
        rows["Assessments"].append(_row(assessment_items(assessment), RequestID=rid))
        plan = assessment.named_plan
        if plan is not None:
            rows["Named Plan"].append(_row(named_plan_items(plan, person.record), RequestID=rid))
            rows["Plan Detail"].extend(
                _row(placement_items(p, dated=False), RequestID=rid) for p in plan.details
            )
    active = request.active_plan
    if active is not None:
        rows["Active Plan"].append(_row(active_plan_items(active), RequestID=rid))
        rows["Placement Detail"].extend(
            _row(placement_items(p, dated=True), RequestID=rid) for p in active.placements
        )
        rows["SEN Need"].extend(
            _row(need_items(code, rank), RequestID=rid)
            for rank, code in enumerate(active.sen_needs, start=1)
        )


def write_sen2_workbook(people: Sequence[Sen2Person], issues: Sequence[Issue], path: Path) -> None:
    rows = module_rows(people)
    rows["Validation"] = [
        {"PersonID": i.case, "Severity": i.severity, "Rule": i.rule, "Module": i.module,
         "Item": i.item, "Message": i.message}
        for i in issues
    ]
    sheets: dict[str, Sheet] = {name: (COLUMNS[name], rows[name]) for name in COLUMNS}
    write_sheets(path, sheets)
