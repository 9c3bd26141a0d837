"""The audit log: one append-only row per thing someone (or a calendar change) did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from db.base import Base
from db.schema import AuditEntry

AUDIT = Base.metadata.tables["audit_log"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    case_id: int | None = None,
    la_id: int | None = None,
    at: dt.datetime | None = None,
    **detail: Any,
) -> None:
    """Add an audit row in the caller's transaction (so it commits or rolls back with it).

    Written at once by a Core insert, not left to the ORM's flush: recording an event spent
    more on the unit of work's bookkeeping for this one row than on the row itself.
    """
    session.execute(AUDIT.insert(), {"at": at or utc_now(), "actor": actor, "action": action,
                                     "case_id": case_id, "la_id": la_id, "detail": detail})


def last_of(session: Session, actions: tuple[str, ...]) -> dt.datetime | None:
    """When any of ``actions`` was last recorded (None: never)."""
    from sqlalchemy import func, select

    return session.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.action.in_(actions)))
