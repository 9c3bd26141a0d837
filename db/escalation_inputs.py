"""What one authority's sweep reads besides the open deadlines: the escalations already
recorded for them, and -- only where a setting allows it in emails -- children's names
and needs from the events that carry them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from db.deadline_rows import open_condition
from db.notify_schema import EscalationRow
from db.schema import Case, CaseEventRow, DeadlineRow, LocalAuthority
from engine.escalation import EscalationKey


def authority_codes(session: Session) -> list[str]:
    """Every local authority in the store, by code: the sweep's partitions."""
    return list(session.scalars(select(LocalAuthority.code).order_by(LocalAuthority.code)))


def case_slices(session: Session, la_id: int, size: int) -> list[tuple[int, int]]:
    """The authority's case ids cut into ranges (first, last) of about ``size`` cases."""
    ids = session.scalars(select(Case.id).where(Case.la_id == la_id).order_by(Case.id))
    slices: list[tuple[int, int]] = []
    first = last = None
    for n, case_id in enumerate(ids):
        if n % size == 0:
            if first is not None and last is not None:
                slices.append((first, last))
            first = case_id
        last = case_id
    if first is not None and last is not None:
        slices.append((first, last))
    return slices


def already_escalated(
    session: Session, la_id: int, as_of: dt.date, due_by: dt.date,
    case_ids: tuple[int, int] | None = None,
) -> frozenset[EscalationKey]:
    """The escalations recorded for the deadlines ``open_deadlines`` finds tonight (in the
    slice ``case_ids`` of the cases, if given)."""
    query = (
        select(Case.reference, EscalationRow.deadline_key, EscalationRow.instance,
               EscalationRow.level)
        .join(Case, Case.id == EscalationRow.case_id)
        .join(DeadlineRow, and_(DeadlineRow.case_id == EscalationRow.case_id,
                                DeadlineRow.key == EscalationRow.deadline_key,
                                DeadlineRow.instance == EscalationRow.instance))
        .where(Case.la_id == la_id,
               open_condition(as_of, due_by, escalation_candidates=True))
    )
    if case_ids is not None:
        query = query.where(EscalationRow.case_id.between(*case_ids))
    return frozenset((r, k, i, lv) for r, k, i, lv in session.execute(query))


def personal_details(
    session: Session, case_ids: Iterable[int], fields: Iterable[str]
) -> dict[int, dict[str, str]]:
    """Each case's latest non-empty value of each of ``fields`` from its events."""
    names = tuple(fields)
    found: dict[int, dict[str, str]] = {}
    for chunk in _chunks(sorted(set(case_ids)), 500):
        query = (
            select(CaseEventRow.case_id, CaseEventRow.payload)
            .where(CaseEventRow.case_id.in_(chunk))
            .order_by(CaseEventRow.case_id, CaseEventRow.seq)
        )
        for case_id, payload in session.execute(query):
            for name in names:
                if isinstance(payload.get(name), str) and payload[name]:
                    found.setdefault(case_id, {})[name] = payload[name]
    return found


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
