"""The SEN2 XML message, and its check against our schema (``sen2_2026.xsd``).

Element order follows the schema (and so the guide's module order); an item with no
value is left out rather than sent empty. Flags are 0/1, dates ISO.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from lxml import etree

from engine.sen2 import ActivePlan, Collection, Sen2Person
from engine.sen2_checks import Issue
from reports.sen2_items import (
    Items,
    Value,
    active_plan_items,
    assessment_items,
    named_plan_items,
    need_items,
    person_items,
    placement_items,
    request_items,
)

SCHEMA = Path(__file__).with_name("sen2_2026.xsd")
SOFTWARE = "ehc-timescales"
RELEASE = "0.1.0"


def _add(parent: etree._Element, name: str, value: Value) -> None:
    if value is None:
        return
    child = etree.SubElement(parent, name)
    if isinstance(value, bool):
        child.text = "1" if value else "0"
    elif isinstance(value, dt.date):
        child.text = value.isoformat()
    else:
        child.text = str(value)


def message(
    people: Sequence[Sen2Person], coll: Collection, *, lea: str, created: dt.datetime,
    serial: int = 1,
) -> etree._Element:
    """The whole return as an element tree (``Message``)."""
    root = etree.Element("Message")
    header = etree.SubElement(root, "Header")
    details = etree.SubElement(header, "CollectionDetails")
    for name, value in (("Collection", "SEN2"), ("Year", coll.year),
                        ("ReferenceDate", coll.census)):
        _add(details, name, value)
    source = etree.SubElement(header, "Source")
    for name, value in (("SourceLevel", "L"), ("LEA", lea), ("SoftwareCode", SOFTWARE),
                        ("Release", RELEASE), ("SerialNo", serial),
                        ("DateTime", created.replace(microsecond=0).isoformat())):
        _add(source, name, value)
    persons = etree.SubElement(root, "Persons")
    for person in people:
        _person(etree.SubElement(persons, "Person"), person)
    return root


def _items(element: etree._Element, items: Items) -> None:
    for name, value in items:
        _add(element, name, value)


def _person(element: etree._Element, person: Sen2Person) -> None:
    _items(element, person_items(person.record))
    for request in person.requests:
        node = etree.SubElement(element, "Requests")
        _items(node, request_items(request))
        assessment = request.assessment
        if assessment is not None:
            sub = etree.SubElement(node, "Assessment")
            _items(sub, assessment_items(assessment))
            if assessment.named_plan is not None:
                plan = etree.SubElement(sub, "NamedPlan")
                _items(plan, named_plan_items(assessment.named_plan, person.record))
                for placement in assessment.named_plan.details:
                    detail = etree.SubElement(plan, "PlanDetail")
                    _items(detail, placement_items(placement, dated=False))
        if request.active_plan is not None:
            _active(etree.SubElement(node, "ActivePlans"), request.active_plan)


def _active(element: etree._Element, plan: ActivePlan) -> None:
    _items(element, active_plan_items(plan))
    for placement in plan.placements:
        node = etree.SubElement(element, "PlacementDetail")
        _items(node, placement_items(placement, dated=True))
    for rank, code in enumerate(plan.sen_needs, start=1):
        _items(etree.SubElement(element, "SENneed"), need_items(code, rank))


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def schema_issues(root: etree._Element, people: Sequence[Sen2Person]) -> list[Issue]:
    """Schema errors, each tied to the child (case) whose Person element holds it."""
    parsed = etree.fromstring(to_bytes(root))  # parsed again: elements then know their lines
    check = schema()
    if check.validate(parsed):
        return []
    starts = [element.sourceline or 0 for element in parsed.findall("Persons/Person")]
    issues = []
    for error in check.error_log:  # type: ignore[attr-defined]  # iterable; stubs lag
        before = [n for n, line in enumerate(starts) if line <= error.line]
        case = people[before[-1]].case if before else "(header)"
        item = (error.path or "").rsplit("/", 1)[-1]
        issues.append(Issue(case, "error", "S2000", "Schema", item, error.message))
    return issues
