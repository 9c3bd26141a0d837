"""Drain the outbox: claim, render, send, record; safe to run again at any moment.

For each due row: mark it ``sending`` (its own transaction); if it is an escalation whose
deadline has since been met, disapplied or gone (``recheck``), mark it ``withdrawn`` and
do not send it; otherwise render it from its stored notice with the Message-ID derived
from its key, hand it to the transport, then mark it ``sent``. A refused or failed send
goes back to ``pending`` with backoff, or to ``failed`` when it cannot succeed; a server
that cannot be reached ends the run (the rest stay pending for the next one). A row
found still ``sending`` from an interrupted run is sent once more and flagged
``in_doubt`` (see ``outbox.recover_interrupted``).

SMTP has no two-phase commit, so this is "decided once, recorded once, and at most one
repeat of the one message in flight when a process died, flagged in the record".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import Engine

from db import outbox, recheck
from db.audit import utc_now
from db.directory import get_la
from db.notify_schema import OutboxRow
from db.outbox import Email
from db.session import unit_of_work
from notifications.notice import DigestNotice, EscalationNotice
from notifications.render import render_digest, render_escalation, render_family_update, stamp
from notifications.settings import NotifySettings
from notifications.transport import (
    EmailTransport,
    MessageRejected,
    SmtpTransport,
    TransportUnavailable,
)

Clock = Callable[[], dt.datetime]


@dataclass
class DeliveryReport:
    sent: int = 0
    resent_in_doubt: int = 0  # of ``sent``: repeats of a message whose first attempt was cut off
    retry_later: int = 0
    failed: int = 0
    withdrawn: int = 0  # not sent: the deadline was met, disapplied or gone by then
    gave_up_interrupted: int = 0
    unavailable: str | None = None  # why the run stopped early, if it did

    def merge(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.resent_in_doubt += other.resent_in_doubt
        self.retry_later += other.retry_later
        self.failed += other.failed
        self.withdrawn += other.withdrawn
        self.gave_up_interrupted += other.gave_up_interrupted
        self.unavailable = self.unavailable or other.unavailable


def deliver_pending(
    engine: Engine,
    transport: EmailTransport,
    settings: NotifySettings,
    *,
    la_id: int | None = None,
    clock: Clock = utc_now,
    batch: int = 200,
) -> DeliveryReport:
    """Send every due ``pending`` row (of one local authority, or all of them)."""
    report = DeliveryReport()
    lease = dt.timedelta(seconds=settings.sending_lease_seconds)
    _, report.gave_up_interrupted = outbox.recover_interrupted(
        engine, la_id=la_id, now=clock(), lease=lease
    )
    after = 0
    try:
        while report.unavailable is None:
            ids = outbox.due_ids(engine, la_id=la_id, now=clock(), after_id=after, limit=batch)
            if not ids:
                break
            for row_id in ids:
                after = row_id
                if not _deliver_one(engine, transport, settings, row_id, clock, report):
                    break
    finally:
        transport.close()
    return report


def deliver_authority(
    engine: Engine,
    la_code: str,
    settings: NotifySettings,
    *,
    transport: EmailTransport | None = None,
) -> DeliveryReport:
    """Drain one local authority's outbox over SMTP (or ``transport``)."""
    with unit_of_work(engine) as session:
        la_id = get_la(session, la_code).id
    sender = transport or SmtpTransport.from_settings(settings)
    return deliver_pending(engine, sender, settings, la_id=la_id)


def render_row(row: OutboxRow | Email, settings: NotifySettings) -> EmailMessage:
    """The message an outbox row (or one about to be recorded) stands for, with its own
    Message-ID."""
    to = row.recipient_email or ""
    if row.kind == "digest":
        digest = DigestNotice.from_payload(row.payload)
        message = render_digest(digest, to=to, outbox_key=row.key, settings=settings)
    elif row.kind == "family":
        message = render_family_update(row.payload, to=to, outbox_key=row.key,
                                       settings=settings)
    else:
        notice = EscalationNotice.from_payload(row.payload)
        message = render_escalation(notice, to=to, outbox_key=row.key, settings=settings)
    message.replace_header("Message-ID", row.message_id)
    return message


def preview(email: Email, settings: NotifySettings) -> dict[str, str]:
    """What a dry run shows of an email it would record: recipient, subject, key."""
    return {
        "to": email.recipient_email or f"(no address for the {email.recipient_role})",
        "subject": str(render_row(email, settings)["Subject"]),
        "key": email.key,
    }


def _deliver_one(
    engine: Engine,
    transport: EmailTransport,
    settings: NotifySettings,
    row_id: int,
    clock: Clock,
    report: DeliveryReport,
) -> bool:
    """Deliver one row; False when the server is unreachable and the run should stop."""
    row = outbox.claim(engine, row_id, now=clock())
    if row is None:
        return True
    withdrawal = recheck.stale(engine, row)
    if withdrawal is not None:
        outbox.mark_withdrawn(engine, row, withdrawal.reason, case_id=withdrawal.case_id,
                              now=clock())
        report.withdrawn += 1
        return True
    try:
        message = render_row(row, settings)
    except (KeyError, TypeError, ValueError) as exc:  # a stored notice we cannot read
        outbox.mark_failed(engine, row, f"cannot render the stored notice: {exc!r}", now=clock())
        report.failed += 1
        return True
    stamp(message, sent_at=clock(), in_doubt=row.in_doubt)
    try:
        transport.send(message)
    except TransportUnavailable as exc:
        _later(engine, row, str(exc), clock, settings, report)
        report.unavailable = str(exc)
        return False
    except MessageRejected as exc:
        if exc.permanent:
            outbox.mark_failed(engine, row, f"refused by the server: {exc}", now=clock())
            report.failed += 1
        else:
            _later(engine, row, f"deferred by the server: {exc}", clock, settings, report)
        return True
    outbox.mark_sent(engine, row.id, now=clock())
    report.sent += 1
    report.resent_in_doubt += int(row.in_doubt)
    return True


def _later(
    engine: Engine,
    row: OutboxRow,
    reason: str,
    clock: Clock,
    settings: NotifySettings,
    report: DeliveryReport,
) -> None:
    if outbox.retry_later(engine, row, reason, now=clock(), max_attempts=settings.max_attempts):
        report.retry_later += 1
    else:
        report.failed += 1
