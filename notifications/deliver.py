"""Drain the outbox: claim, render, send, record; safe to run again at any moment.

For each due row: mark it ``sending`` (its own transaction); if it is an escalation whose
deadline has since been met, disapplied or gone (``recheck``), mark it ``withdrawn`` and
do not send it; otherwise render it from its stored notice with the Message-ID derived
from its key, hand it to the transport, then mark it ``sent``. A refused or failed send
goes back to ``pending`` with backoff, or to ``failed`` when it cannot succeed (a 5xx
for its recipient or content: the other messages go on); a relay that cannot be reached
or refuses everything ends the run (the rest stay pending for the next one). The report
says what is left: due, waiting in backoff (until when), in flight (lease until when),
failed in all. A row
found still ``sending`` from an interrupted run is sent once more and flagged
``in_doubt`` (see ``outbox.recover_interrupted``).

SMTP has no two-phase commit, so this is "decided once, recorded once, and at most one
repeat of the one message in flight when a process died, flagged in the record".
"""

from __future__ import annotations

import datetime as dt
import logging
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
from notifications import weekly
from notifications.notice import DigestNotice, EscalationNotice
from notifications.render import render_digest, render_escalation, render_family_update, stamp
from notifications.settings import NotifySettings
from notifications.transport import (
    EmailTransport,
    MessageRejected,
    SmtpTransport,
    TransportUnavailable,
)

TimeSource = Callable[[], dt.datetime]
log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """One run's delivery, and what it left behind (``outbox.Backlog``'s fields)."""

    sent: int = 0
    resent_in_doubt: int = 0  # of ``sent``: repeats of a message whose first attempt was cut off
    retry_later: int = 0
    failed: int = 0  # this run: refused for good, or out of attempts
    withdrawn: int = 0  # not sent: the deadline was met, disapplied or gone by then
    gave_up_interrupted: int = 0
    unavailable: str | None = None  # why the run stopped early, if it did
    # Left behind, as the run ended:
    due: int = 0
    waiting: int = 0
    first_retry: dt.datetime | None = None
    last_retry: dt.datetime | None = None
    in_flight: int = 0
    lease_expires: dt.datetime | None = None
    failed_in_all: int = 0

    def merge(self, other: DeliveryReport) -> None:
        for name in ("sent", "resent_in_doubt", "retry_later", "failed", "withdrawn",
                     "gave_up_interrupted", "due", "waiting", "in_flight", "failed_in_all"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unavailable = self.unavailable or other.unavailable
        self.first_retry = _earliest(self.first_retry, other.first_retry)
        self.last_retry = _latest(self.last_retry, other.last_retry)
        self.lease_expires = _latest(self.lease_expires, other.lease_expires)

    @property
    def undelivered(self) -> int:
        """Messages still to go: due, waiting in backoff, or in flight."""
        return self.due + self.waiting + self.in_flight

    @property
    def gave_up(self) -> int:
        """Messages this run gave up on: a person has to look."""
        return self.failed + self.gave_up_interrupted

    def problem(self) -> str | None:
        """One line on what is wrong (None: everything due was delivered)."""
        parts = []
        if self.gave_up:
            parts.append(f"{self.gave_up} email{_s(self.gave_up)} failed")
        if self.undelivered:
            parts.append(f"{self.undelivered} left undelivered (kept pending for the next run)")
        if self.unavailable:
            parts.append(f"delivery stopped: {self.unavailable}")
        return "; ".join(parts) or None


def deliver_pending(
    engine: Engine,
    transport: EmailTransport,
    settings: NotifySettings,
    *,
    la_id: int | None = None,
    clock: TimeSource = utc_now,
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
    left = outbox.backlog(engine, la_id=la_id, now=clock(), lease=lease)
    report.due, report.waiting, report.in_flight = left.due, left.waiting, left.in_flight
    report.first_retry, report.last_retry = left.first_retry, left.last_retry
    report.lease_expires, report.failed_in_all = left.lease_expires, left.failed
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
    elif row.kind == weekly.KIND:
        summary = weekly.WeeklyNotice.from_payload(row.payload)
        message = weekly.render_weekly(summary, to=to, outbox_key=row.key, settings=settings)
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
    clock: TimeSource,
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
        log.debug("delivery stopped: %s", exc, exc_info=exc)  # the traceback: debug only
        _later(engine, row, str(exc), clock, settings, report)
        report.unavailable = str(exc)
        return False
    except MessageRejected as exc:
        log.debug("message %s refused: %s", row.message_id, exc, exc_info=exc)
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
    clock: TimeSource,
    settings: NotifySettings,
    report: DeliveryReport,
) -> None:
    if outbox.retry_later(engine, row, reason, now=clock(), max_attempts=settings.max_attempts):
        report.retry_later += 1
    else:
        report.failed += 1


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return min((t for t in (a, b) if t), default=None)


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return max((t for t in (a, b) if t), default=None)


def _s(count: int) -> str:
    return "" if count == 1 else "s"
