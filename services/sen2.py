"""Use case: the SEN2 person-level return for one authority and collection year.

The only bulk reader of the protected person records: it checks the caller works for the
authority, reads the records in one audited batch, derives every item it can from the
event log (``engine.sen2``), validates the return child by child (``engine.sen2_checks``)
and against our schema, and hands back the XML, the rows and the issues.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from db.person import records_for_cases
from db.reporting import stored_cases
from db.session import unit_of_work
from engine.errors import EngineError
from engine.history import effective_history
from engine.sen2 import Collection, Sen2Person, collection, derive
from engine.sen2_checks import Issue, validate
from reports.sen2_xml import message, schema_issues, to_bytes
from services.errors import InvalidInput, Refused, translated
from services.person import staff_of


@dataclass(frozen=True)
class Sen2Return:
    collection: Collection
    authority: str
    lea: str
    people: tuple[Sen2Person, ...]
    issues: tuple[Issue, ...]
    xml: bytes

    @property
    def errors(self) -> int:
        return sum(issue.severity == "error" for issue in self.issues)


def sen2_return(
    engine: Engine, *, year: int, la_code: str, lea: str, actor: str, created: dt.datetime
) -> Sen2Return:
    """The return for collection ``year`` (the calendar year before it; January census).

    Args:
        engine: the store (one unit of work, which records the audit entry of the bulk
            read).
        year: the collection year, e.g. 2026.
        la_code: the authority (its staff only).
        lea: the authority's three-digit DfE LA number for the header.
        actor: who is exporting (must be a caseworker of ``la_code``).
        created: the header's DateTime (aware).

    Raises:
        InvalidInput: a year or LA number that cannot be right.
        Forbidden: ``actor`` is not staff of ``la_code``.
        Refused: a stored history the engine cannot read.
    """
    if not 2015 <= year <= 2100:
        raise InvalidInput(f"collection year {year} is out of range")
    if not (lea.isdigit() and len(lea) == 3):
        raise InvalidInput(f"--lea must be the three-digit DfE LA number, not {lea!r}")
    coll = collection(year)
    with translated(), unit_of_work(engine, write=True) as session:
        la = staff_of(session, la_code, actor)
        cases = stored_cases(session, la_code=la_code)
        records = records_for_cases(session, [c.id for c in cases], actor=actor, la_id=la.id,
                                    purpose=f"SEN2 {year}")
    people = []
    for case in cases:
        try:
            events = [event for _, event in effective_history([r.event for r in case.records])]
        except EngineError as exc:
            raise Refused(f"case {case.reference}: {exc.reason}") from None
        person = derive(case.reference, events, records.get(case.id), coll)
        if person is not None:
            people.append(person)
    root = message(people, coll, lea=lea, created=created)
    issues = validate(people, coll) + schema_issues(root, people)
    issues.sort(key=lambda i: (i.case, i.rule))
    return Sen2Return(coll, la_code, lea, tuple(people), tuple(issues), to_bytes(root))
