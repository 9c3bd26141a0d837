"""SEN2 validation before submission: every item missing or inconsistent, per child.

Written in the style of the DfE's own validation errors (a rule number, the module and
item, and a message saying what to fix), but the numbers are this system's (``S2nnn``),
not the DfE's. ``error`` would stop the return being accepted; ``query`` asks for a
check or an explanation, as DfE queries do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from engine.person import Placement
from engine.sen2 import Collection, Request, Sen2Person

Severity = Literal["error", "query"]


@dataclass(frozen=True)
class Issue:
    case: str
    severity: Severity
    rule: str
    module: str
    item: str
    message: str

    def line(self) -> str:
        return (f"{self.case}\t{self.severity}\t{self.rule}\t{self.module}/{self.item}\t"
                f"{self.message}")


PERSON_REQUIRED = (
    ("S2101", "Surname", "surname"), ("S2102", "Forename", "forename"),
    ("S2103", "PersonBirthDate", "birth_date"), ("S2104", "Sex", "sex"),
    ("S2105", "Ethnicity", "ethnicity"), ("S2106", "PostCode", "postcode"),
)


def validate(people: Sequence[Sen2Person], coll: Collection) -> list[Issue]:
    """Every issue of every child in the return, in case order."""
    issues: list[Issue] = []
    for person in people:
        issues.extend(_person(person, coll))
        for request in person.requests:
            issues.extend(_request(person.case, request, coll))
    issues.extend(_duplicate_upns(people))
    return issues


def _person(person: Sen2Person, coll: Collection) -> Iterator[Issue]:
    record = person.record
    if record is None:
        yield Issue(person.case, "error", "S2100", "Person", "*",
                    f"no person record: record it with `ehc person set {person.case}`")
        return
    for rule, item, name in PERSON_REQUIRED:
        if getattr(record, name) is None:
            yield Issue(person.case, "error", rule, "Person", item, f"{item} is missing")
    if not (record.upn or record.uln or record.upn_unknown):
        yield Issue(person.case, "error", "S2110", "Person", "UPN",
                    "UPN, ULN or UPNunknown (the reason neither is known) must be given")
    if record.birth_date is not None and record.birth_date > coll.census:
        yield Issue(person.case, "error", "S2111", "Person", "PersonBirthDate",
                    "date of birth is after the census date")
    if record.birth_date is not None and _age(record.birth_date, coll.census) >= 26:
        yield Issue(person.case, "query", "S2112", "Person", "PersonBirthDate",
                    "aged 26 or over at the census: check the plan has ceased")


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _request(case: str, request: Request, coll: Collection) -> Iterator[Issue]:
    if request.outcome != "H" and request.source is None:
        yield Issue(case, "error", "S2201", "Requests", "RequestSource",
                    "RequestSource is mandatory from 2026: record the requester (parent, "
                    "young_person, school, health, social_care, other) on request_received")
    if request.outcome is None and request.received is not None and (
        (coll.census - request.received).days > 42
    ):
        yield Issue(case, "query", "S2202", "Requests", "RequestOutcome",
                    "no decision on a request received more than 6 weeks before the census")
    assessment = request.assessment
    if assessment is not None and assessment.named_plan is not None:
        plan = assessment.named_plan
        if plan.cease_date is not None and plan.cease_reason is None:
            yield Issue(case, "error", "S2401", "NamedPlan", "CeaseReason",
                        "the plan ceased but no CeaseReason was recorded (cease_reason on "
                        "the review decision)")
        yield from _placements(case, "PlanDetail", plan.details)
    active = request.active_plan
    if active is not None:
        if not active.sen_needs:
            yield Issue(case, "error", "S2501", "SENneed", "SENtype",
                        "an active plan needs at least one SEN type (sen_needs)")
        yield from _placements(case, "PlacementDetail", active.placements)


def _placements(case: str, module: str, placements: Iterable[Placement]) -> Iterator[Issue]:
    placements = list(placements)
    if not placements:
        yield Issue(case, "error", "S2301", module, "URN",
                    "no placement recorded (placements: URN, UKPRN or a setting code)")
        return
    mains = [p for p in placements if p.rank == 1]
    if len(mains) != 1:
        yield Issue(case, "error", "S2302", module, "PlacementRank",
                    f"exactly one placement must have rank 1 (found {len(mains)})")
    for placement in placements:
        if not (placement.urn or placement.ukprn or placement.setting):
            yield Issue(case, "error", "S2303", module, "URN",
                        "a placement needs a URN, a UKPRN or a SENSetting code")
        if placement.setting and (placement.urn or placement.ukprn):
            yield Issue(case, "query", "S2304", module, "SENSetting",
                        "SENSetting is for placements without an establishment: check it")


def _duplicate_upns(people: Sequence[Sen2Person]) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    for person in people:
        upn = person.record.upn if person.record else None
        if upn is None:
            continue
        if upn in seen:
            yield Issue(person.case, "error", "S2120", "Person", "UPN",
                        f"the same UPN as case {seen[upn]}: one child must appear once")
        else:
            seen[upn] = person.case
