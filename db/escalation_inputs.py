"""What one authority's sweep reads besides the open deadlines: the escalations already
recorded for them, and -- only where a setting allows it in emails -- children's names
and needs from the events that carry them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from db.bulk import copy_to_scratch
from db.deadline_rows import woken
from db.notify_schema import EscalationRow
from db.schema import Case, CaseEventRow, LocalAuthority
from engine.escalation import EscalationKey


def authority_codes(session: Session) -> list[str]:
    """Every local authority in the store, by code: the sweep's partitions."""
    return list(session.scalars(select(LocalAuthority.code).order_by(LocalAuthority.code)))


def case_slices(
    session: Session, la_id: int, as_of: dt.date, size: int, *, every_case: bool = False
) -> list[tuple[int, int]]:
    """The authority's cases whose night has come (``woken``; or all of them), cut into
    id ranges (first, last) of about ``size`` cases."""
    read = woken(as_of, every_case=every_case)
    ids = session.scalars(select(Case.id).where(Case.la_id == la_id, read).order_by(Case.id))
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


def reset_nights_unless(session: Session, la_id: int, basis: str) -> bool:
    """Clear the authority's next nights unless they were computed on ``basis`` (its
    ladder and calendar); returns whether they were cleared. Then ``basis`` is theirs."""
    la = session.get_one(LocalAuthority, la_id)
    if la.sweep_basis == basis:
        return False
    session.execute(update(Case).where(Case.la_id == la_id).values(next_sweep_on=None)
                    .execution_options(synchronize_session=False))
    la.sweep_basis = basis
    return True


def claim_slice(
    session: Session, la_id: int, as_of: dt.date, case_ids: tuple[int, int]
) -> dict[str, int]:
    """Lock the slice's woken cases for this transaction (reference to id).

    A caseworker's append to one of them waits until the sweep has written the case's
    next night, then clears it: so a night computed from deadlines that have since
    changed never stands (SQLite's write lock already serialises the two)."""
    rows = session.execute(
        select(Case.reference, Case.id)
        .where(Case.la_id == la_id, Case.id.between(*case_ids), woken(as_of))
        .with_for_update()
    )
    return {reference: case_id for reference, case_id in rows}


def set_next_sweeps(session: Session, nights: dict[int, dt.date]) -> None:
    """Write each case's next night (case id to date): on PostgreSQL COPYed and applied
    by one ``UPDATE ... FROM``; on SQLite one cached statement run over them all."""
    if not nights:
        return
    values = [{"id": case_id, "next_sweep_on": night} for case_id, night in nights.items()]
    if session.get_bind().dialect.name == "postgresql":
        scratch = copy_to_scratch(session, "cases", ("id", "next_sweep_on"), values)
        session.execute(text(f"UPDATE cases SET next_sweep_on = s.next_sweep_on "
                             f"FROM {scratch} s WHERE cases.id = s.id"))
        return
    table = Case.__table__
    assert isinstance(table, Table)
    stmt = (update(table).where(table.c.id == bindparam("case"))
            .values(next_sweep_on=bindparam("night")))
    session.connection().execute(stmt, [{"case": v["id"], "night": v["next_sweep_on"]}
                                        for v in values])


def already_escalated(
    session: Session, la_id: int, as_of: dt.date, case_ids: tuple[int, int], *,
    every_case: bool = False,
) -> frozenset[EscalationKey]:
    """The escalations recorded for the slice's woken cases (or all its cases)."""
    query = (
        select(Case.reference, EscalationRow.deadline_key, EscalationRow.instance,
               EscalationRow.level)
        .join(Case, Case.id == EscalationRow.case_id)
        .where(Case.la_id == la_id, EscalationRow.case_id.between(*case_ids),
               woken(as_of, every_case=every_case))
    )
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
