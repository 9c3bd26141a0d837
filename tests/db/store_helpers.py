"""Small helpers the case-store tests share (each opens its own unit of work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from db import directory, event_store
from db.schema import AuditEntry, CaseEventRow, DeadlineRow
from db.session import unit_of_work

STAFFS = "E10000028"
HARTLEPOOL = "E06000001"

REQUEST = {"type": "request_received", "date": "2025-01-06"}
DECIDED = {"type": "decision_to_assess_notified", "date": "2025-02-10", "outcome": "assess"}
EP_ADVICE = {"type": "advice_requested", "date": "2025-02-11",
             "advisor": "educational_psychologist"}


def open_case(
    engine: Engine, reference: str = "C1", *, caseworker: str = "alice", la: str = STAFFS,
    process: str = "assessment", **extra: Any,
) -> None:
    with unit_of_work(engine, write=True) as session:
        directory.open_case(session, reference, process=process, caseworker=caseworker,
                            la_code=la, actor="tester", **extra)


def append(
    engine: Engine, reference: str, events: list[dict[str, Any]],
    expected_seq: int | None = None, by: str = "alice",
) -> event_store.AppendResult:
    with unit_of_work(engine, write=True) as session:
        return event_store.append(session, reference, events, expected_seq, by)


def load(engine: Engine, reference: str = "C1") -> event_store.CaseHistory:
    with unit_of_work(engine) as session:
        return event_store.load(session, reference)


def count(engine: Engine, model: type[Any]) -> int:
    with unit_of_work(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def table_counts(engine: Engine) -> tuple[int, int, int]:
    return count(engine, CaseEventRow), count(engine, DeadlineRow), count(engine, AuditEntry)


def deadlines(engine: Engine, reference: str = "C1") -> dict[tuple[str, str], DeadlineRow]:
    with unit_of_work(engine) as session:
        case = directory.get_case(session, reference)
        rows = session.scalars(select(DeadlineRow).where(DeadlineRow.case_id == case.id))
        return {(row.key, row.instance): row for row in rows}


def audit_entries(engine: Engine, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with unit_of_work(engine) as session:
        return list(session.scalars(query))
