"""SEN2 items per module, in the guide's order: one mapping for the XML and the workbook.

Each function returns ``(item name, value)`` pairs; ``None`` means "leave the item out".
"""

from __future__ import annotations

import datetime as dt

from engine.person import PersonRecord, Placement
from engine.sen2 import ActivePlan, Assessment, NamedPlan, Request

Value = str | int | bool | dt.date | None
Items = list[tuple[str, Value]]


def person_items(record: PersonRecord | None) -> Items:
    if record is None:
        return []
    unknown = None if (record.upn or record.uln) else record.upn_unknown
    return [("Surname", record.surname), ("Forename", record.forename),
            ("PersonBirthDate", record.birth_date), ("Sex", record.sex),
            ("Ethnicity", record.ethnicity), ("PostCode", record.postcode),
            ("UPN", record.upn), ("UniqueLearnerNumber", record.uln), ("UPNunknown", unknown)]


def request_items(request: Request) -> Items:
    return [("ReceivedDate", request.received), ("RequestSource", request.source),
            ("RYA", request.rya), ("RequestOutcomeDate", request.outcome_date),
            ("RequestOutcome", request.outcome), ("RequestMediation", request.flags.mediation),
            ("RequestTribunal", request.flags.tribunal), ("Exported", request.exported)]


def assessment_items(assessment: Assessment) -> Items:
    return [("AssessmentOutcome", assessment.outcome),
            ("AssessmentOutcomeDate", assessment.outcome_date),
            ("AssessmentMediation", assessment.flags.mediation),
            ("AssessmentTribunal", assessment.flags.tribunal),
            ("OtherMediation", assessment.other.mediation),
            ("OtherTribunal", assessment.other.tribunal), ("Week20", assessment.week20)]


def named_plan_items(plan: NamedPlan, record: PersonRecord | None) -> Items:
    main = plan.details[0] if plan.details else None
    return [("StartDate", plan.start), ("PlanRes", main.residential if main else None),
            ("PlanWPB", main.work_based if main else None),
            ("PB", record.personal_budget if record else None),
            ("OA", record.organised_arrangements if record else None),
            ("DP", record.direct_payments if record else None),
            ("CeaseDate", plan.cease_date), ("CeaseReason", plan.cease_reason)]


def active_plan_items(plan: ActivePlan) -> Items:
    main = plan.placements[0] if plan.placements else None
    return [("TransferLA", plan.transfer_la), ("RES", main.residential if main else None),
            ("WPB", main.work_based if main else None), ("ReviewMeeting", plan.review_meeting),
            ("ReviewOutcome", plan.review_outcome), ("LastReview", plan.last_review)]


def placement_items(placement: Placement, *, dated: bool) -> Items:
    items: Items = [
        ("URN", placement.urn), ("UKPRN", placement.ukprn), ("SENSetting", placement.setting),
        ("SENSettingOther", placement.setting_other), ("PlacementRank", placement.rank),
    ]
    if dated:
        items += [("EntryDate", placement.entry_date), ("LeavingDate", placement.leaving_date)]
    return items + [("SENunitIndicator", placement.sen_unit),
                    ("ResourcedProvisionIndicator", placement.resourced_provision)]


def need_items(code: str, rank: int) -> Items:
    return [("SENtype", code), ("SENtypeRank", rank)]
