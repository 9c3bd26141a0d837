"""Reading and writing the protected person records (``person_records``).

Callers (``services.person``, ``services.sen2``) check who is asking first. Every write
and every bulk read leaves an audit entry naming the fields or the number of records,
never their values.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.person_schema import PersonRow
from db.schema import Case
from engine.person import PersonRecord


def get_record(session: Session, case: Case) -> PersonRecord | None:
    row = session.scalar(select(PersonRow).where(PersonRow.case_id == case.id))
    return None if row is None else PersonRecord.model_validate(row.record)


def save_record(
    session: Session, case: Case, record: PersonRecord, *, actor: str, fields: Sequence[str]
) -> None:
    """Replace the case's record; audits which fields changed (names only)."""
    now = audit.utc_now()
    data = record.model_dump(mode="json", exclude_defaults=True)
    row = session.scalar(select(PersonRow).where(PersonRow.case_id == case.id))
    if row is None:
        session.add(PersonRow(case_id=case.id, record=data, updated_at=now, updated_by=actor))
    else:
        row.record, row.updated_at, row.updated_by = data, now, actor
    audit.record(session, actor, "person_record_updated", case_id=case.id, la_id=case.la_id,
                 at=now, fields=sorted(fields))


def records_for_cases(
    session: Session, case_ids: Sequence[int], *, actor: str, la_id: int, purpose: str
) -> dict[int, PersonRecord]:
    """The records of ``case_ids`` (one authority's), read in bulk and audited as such."""
    found: dict[int, PersonRecord] = {}
    for start in range(0, len(case_ids), 500):
        query = select(PersonRow).where(PersonRow.case_id.in_(case_ids[start : start + 500]))
        for row in session.scalars(query):
            found[row.case_id] = PersonRecord.model_validate(row.record)
    audit.record(session, actor, "person_records_read", la_id=la_id, purpose=purpose,
                 cases=len(case_ids), records=len(found))
    return found
