"""The last look before an escalation email goes: is what it says still true?

An escalation is decided on one night and normally sent minutes later, but a mail server
that is down can hold it for days. Just before sending, delivery reads the deadline it is
about from the ``deadlines`` projection (as of now, not as of the night it was decided)
and asks the engine (``withdrawal_reason``) whether the notice still stands. Digests are
not re-checked: each is rebuilt from the projection every day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, and_, select

from db.deadline_rows import deadline_from_row
from db.notify_schema import EscalationRow, OutboxRow
from db.schema import DeadlineRow
from db.session import unit_of_work
from engine.escalation import Track, withdrawal_reason


@dataclass(frozen=True)
class Withdrawal:
    """Why an outbox row must not be sent, and which case it concerns (for the audit)."""

    case_id: int
    reason: str


def stale(engine: Engine, rows: Sequence[OutboxRow]) -> dict[int, Withdrawal]:
    """The rows of a batch that are escalations no longer true, by row id: one query."""
    by_escalation: dict[int, list[int]] = {}
    for row in rows:
        if row.kind == "escalation" and row.escalation_id is not None:
            by_escalation.setdefault(row.escalation_id, []).append(row.id)
    if not by_escalation:
        return {}
    query = (
        select(EscalationRow.id, EscalationRow.case_id, EscalationRow.track, DeadlineRow)
        .select_from(EscalationRow)
        .outerjoin(DeadlineRow, and_(DeadlineRow.case_id == EscalationRow.case_id,
                                     DeadlineRow.key == EscalationRow.deadline_key,
                                     DeadlineRow.instance == EscalationRow.instance))
        .where(EscalationRow.id.in_(list(by_escalation)))
    )
    found: dict[int, Withdrawal] = {}
    with unit_of_work(engine) as session:
        for escalation_id, case_id, track, deadline_row in session.execute(query):
            deadline = deadline_from_row(deadline_row) if deadline_row is not None else None
            reason = withdrawal_reason(Track(track), deadline)
            if reason:
                found.update(dict.fromkeys(by_escalation[escalation_id],
                                           Withdrawal(case_id, reason)))
    return found
