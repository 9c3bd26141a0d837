"""Who was told, when, and did it go: the outbox as a caseworker or the on-call person
asks about it; and draining it (one authority's delivery, exactly once)."""

from __future__ import annotations

from sqlalchemy import Engine

from db.directory import get_la, get_team
from db.outbox import OutboxEntry, entries
from db.session import unit_of_work
from notifications.deliver import DeliveryReport, deliver_authority, preview
from notifications.settings import NotifySettings
from notifications.transport import EmailTransport
from services.errors import InvalidInput, translated

STATUSES = ("pending", "sending", "sent", "failed", "withdrawn", "suppressed")

__all__ = [
    "STATUSES", "DeliveryReport", "OutboxEntry", "deliver", "outbox_status", "preview",
]


def outbox_status(
    engine: Engine,
    *,
    reference: str | None = None,
    status: str | None = None,
    la_code: str | None = None,
    team: str | None = None,
    limit: int = 100,
) -> list[OutboxEntry]:
    """The newest emails (of a case, a status, an authority, or -- with ``la_code`` -- the
    cases of one of its teams), newest first."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}: expected one of {', '.join(STATUSES)}",
                           field="status")
    if limit < 1:
        raise InvalidInput("--limit must be at least 1", field="limit")
    with translated(), unit_of_work(engine) as session:
        la_id = get_la(session, la_code).id if la_code is not None else None
        team_id = get_team(session, team, la_code).id if team is not None else None
        return entries(session, la_id=la_id, reference=reference, status=status,
                       team_id=team_id, limit=limit)


def deliver(
    engine: Engine, la_code: str, settings: NotifySettings, transport: EmailTransport
) -> DeliveryReport:
    """Drain one authority's outbox: claim, re-check, send, mark sent -- each once."""
    with translated():
        return deliver_authority(engine, la_code, settings, transport=transport)
