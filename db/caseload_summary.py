"""The projected deadlines of a given set of cases (the ones an import just brought in),
for the manager's first look at the caseload."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.deadline_rows import deadline_from_row
from db.schema import Case, DeadlineRow
from engine.status import Deadline

_CHUNK = 500  # references per IN (...) list


def deadlines_of(
    session: Session, references: Sequence[str], keys: Sequence[str]
) -> Iterator[tuple[str, Deadline]]:
    """``(reference, deadline)`` for every deadline with one of ``keys`` of these cases."""
    for start in range(0, len(references), _CHUNK):
        query = (
            select(Case.reference, DeadlineRow)
            .join(DeadlineRow, DeadlineRow.case_id == Case.id)
            .where(Case.reference.in_(references[start:start + _CHUNK]),
                   DeadlineRow.key.in_(keys))
        )
        for reference, row in session.execute(query):
            yield reference, deadline_from_row(row)
