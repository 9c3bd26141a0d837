"""Drain the outbox: claim, render, send, record; safe to run again at any moment.

Due rows are claimed a batch at a time (one statement, ``outbox.reserve``); the batch's
escalations whose deadline has since been met, disapplied or gone (``recheck``, one
query) are marked ``withdrawn`` (one transaction) and not sent; the rest are shared out
over ``smtp_connections`` connections, each carrying many messages. On each connection a
row is rendered from its stored notice with the Message-ID derived from its key (straight
to bytes: ``render.Draft``), marked handed over in the transaction that records what became
of the previous one, and given to the transport; a connection that drops is reopened for
the next message. Those transactions are shared (``_Ledger``): whichever connection finds
none under way writes for every connection waiting, one statement for all their hand-overs
and ``sent`` marks. A refused or failed send goes back to ``pending`` with backoff, or to
``failed`` when it cannot succeed (a 5xx for its recipient or content: the other messages
go on); a relay that cannot be reached or refuses everything ends the run (the rest stay
pending for the next one). The report says what is left: due, waiting in backoff (until
when), in flight (lease until when), failed in all. A row found still ``sending`` from an
interrupted run is sent once more and flagged ``in_doubt`` (see
``outbox.recover_interrupted``).

SMTP has no two-phase commit, so this is "decided once, recorded once, and at most one
repeat of the one message in flight on each connection when a process died, flagged in
the record". Recording a connection's messages a batch at a time would repeat (and flag)
a whole batch instead: a row must be marked handed over before its message goes, and its
predecessor marked sent before that, or a crash cannot tell which of them went.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Engine

from db import outbox, recheck
from db.audit import utc_now
from db.directory import get_la
from db.notify_schema import OutboxRow
from db.outbox import Email, Settled
from db.session import unit_of_work
from notifications import weekly
from notifications.notice import DigestNotice, EscalationNotice
from notifications.render import (
    Draft,
    Outgoing,
    render_digest,
    render_escalation,
    render_family_update,
)
from notifications.settings import NotifySettings
from notifications.transport import (
    ConnectionLost,
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
    """Send every due ``pending`` row (of one local authority, or all of them), over
    ``settings.smtp_connections`` connections at once (``transport`` and its siblings)."""
    report = DeliveryReport()
    lease = dt.timedelta(seconds=settings.sending_lease_seconds)
    _, report.gave_up_interrupted = outbox.recover_interrupted(
        engine, la_id=la_id, now=clock(), lease=lease
    )
    senders = [transport, *(transport.another() for _ in range(settings.smtp_connections - 1))]
    pool = ThreadPoolExecutor(len(senders), "smtp") if len(senders) > 1 else None
    stop = threading.Event()
    after = 0
    try:
        with outbox.writer(engine) as books:
            while not stop.is_set():
                token = clock()
                rows = outbox.reserve(engine, la_id=la_id, now=token, after_id=after,
                                      limit=batch * len(senders))
                if not rows:
                    break
                after = rows[-1].id
                todo = _withdraw_stale(engine, rows, clock, report)
                ledger = _Ledger(books, token, clock)

                def send_share(n: int, todo: list[OutboxRow] = todo, ledger: _Ledger = ledger
                               ) -> tuple[DeliveryReport, list[int]]:
                    return _send_all(ledger, senders[n], settings, todo[n::len(senders)],
                                     clock, stop)

                unreached: list[int] = []
                for part, left in (pool.map if pool else map)(send_share, range(len(senders))):
                    report.merge(part)
                    unreached += left
                outbox.release(engine, unreached, token=token)
    finally:
        if pool is not None:
            pool.shutdown()
        for sender in senders:
            sender.close()
    left_behind = outbox.backlog(engine, la_id=la_id, now=clock(), lease=lease)
    report.due, report.waiting = left_behind.due, left_behind.waiting
    report.in_flight = left_behind.in_flight
    report.first_retry, report.last_retry = left_behind.first_retry, left_behind.last_retry
    report.lease_expires, report.failed_in_all = (left_behind.lease_expires,
                                                  left_behind.failed)
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


def render_row(row: OutboxRow | Email, settings: NotifySettings) -> Draft:
    """The message an outbox row (or one about to be recorded) stands for, with its own
    Message-ID."""
    to, key, msgid = row.recipient_email or "", row.key, row.message_id
    if row.kind == "digest":
        digest = DigestNotice.from_payload(row.payload)
        return render_digest(digest, to=to, outbox_key=key, settings=settings, msgid=msgid)
    if row.kind == weekly.KIND:
        summary = weekly.WeeklyNotice.from_payload(row.payload)
        return weekly.render_weekly(summary, to=to, outbox_key=key, settings=settings,
                                    msgid=msgid)
    if row.kind == "family":
        return render_family_update(row.payload, to=to, outbox_key=key, settings=settings,
                                    msgid=msgid)
    notice = EscalationNotice.from_payload(row.payload)
    return render_escalation(notice, to=to, outbox_key=key, settings=settings, msgid=msgid)


def preview(email: Email, settings: NotifySettings) -> dict[str, str]:
    """What a dry run shows of an email it would record: recipient, subject, key."""
    return {
        "to": email.recipient_email or f"(no address for the {email.recipient_role})",
        "subject": render_row(email, settings).subject,
        "key": email.key,
    }


def _withdraw_stale(
    engine: Engine, rows: list[OutboxRow], clock: TimeSource, report: DeliveryReport
) -> list[OutboxRow]:
    """Withdraw the batch's escalations no longer true (one query, one transaction);
    returns the rest, to send."""
    stale = recheck.stale(engine, rows)
    outbox.withdraw_all(engine, [(row, stale[row.id].case_id, stale[row.id].reason)
                                 for row in rows if row.id in stale], now=clock())
    report.withdrawn += len(stale)
    return [row for row in rows if row.id not in stale]


@dataclass
class _Request:
    """One connection's turn at the ledger: what became of its last message, and the next
    to hand over (``taken``: the instant it was, None if it is no longer ours)."""

    settled: Sequence[Settled]
    row: OutboxRow | None
    done: bool = False
    taken: dt.datetime | None = None
    error: BaseException | None = None


@dataclass
class _Ledger:
    """The outbox writes of one batch's connections, grouped (a group commit): a
    connection asks for its turn; whichever finds no write under way writes every turn
    waiting, in one transaction; the others wait for it and find theirs done."""

    books: outbox.Writer
    token: dt.datetime
    clock: TimeSource
    _waiting: list[_Request] = field(default_factory=list)
    _writing: bool = False
    _turns: threading.Condition = field(default_factory=threading.Condition)

    def hand_over(self, row: OutboxRow | None, settled: Sequence[Settled] = ()
                  ) -> dt.datetime | None:
        """Record ``settled`` and mark ``row`` handed over; returns the instant recorded,
        or None if another run has the row now."""
        turn = _Request(settled, row)
        with self._turns:
            self._waiting.append(turn)
            while self._writing and not turn.done:
                self._turns.wait()
            if turn.done:
                return self._outcome(turn)
            self._writing, group, self._waiting = True, self._waiting, []
        now, error, taken = self.clock(), None, set()
        try:
            taken = self.books.hand_over(
                [t.row for t in group if t.row is not None], token=self.token, now=now,
                settled=[s for t in group for s in t.settled])
        except BaseException as exc:  # each connection in the group hears of it
            error = exc
        with self._turns:
            for t in group:
                t.done, t.error = True, error
                t.taken = now if t.row is not None and t.row.id in taken else None
            self._writing = False
            self._turns.notify_all()
        return self._outcome(turn)

    @staticmethod
    def _outcome(turn: _Request) -> dt.datetime | None:
        if turn.error is not None:
            raise turn.error
        return turn.taken


def _send_all(
    ledger: _Ledger,
    sender: EmailTransport,
    settings: NotifySettings,
    rows: list[OutboxRow],
    clock: TimeSource,
    stop: threading.Event,
) -> tuple[DeliveryReport, list[int]]:
    """Send ``rows`` in order over one connection; returns what happened and the ids not
    reached because the run stopped. Each row is marked handed over, in one transaction
    with what became of the previous one, just before it goes: at most one is in doubt."""
    report = DeliveryReport()
    unrecorded: list[Settled] = []  # outcomes waiting for the next hand-over
    try:
        for n, row in enumerate(rows):
            if stop.is_set():
                return report, [r.id for r in rows[n:]]
            try:
                draft = render_row(row, settings)
            except (KeyError, TypeError, ValueError) as exc:  # a stored notice we cannot read
                unrecorded.append(Settled(row, "failed",
                                          f"cannot render the stored notice: {exc!r}"))
                report.failed += 1
                continue
            now = ledger.hand_over(row, unrecorded)
            unrecorded = []
            if now is None:
                continue  # another run recovered it
            message = draft.attempt(sent_at=now, in_doubt=row.in_doubt)
            unrecorded.append(_send_one(sender, settings, row, message, clock, report, stop))
    finally:
        if unrecorded:
            ledger.hand_over(None, unrecorded)
    return report, []


def _send_one(
    sender: EmailTransport,
    settings: NotifySettings,
    row: OutboxRow,
    message: Outgoing,
    clock: TimeSource,
    report: DeliveryReport,
    stop: threading.Event,
) -> Settled:
    """Hand one message over; what became of it. A relay that cannot be reached or
    refuses everything sets ``stop``; a dropped connection is reopened by the next
    message."""
    try:
        sender.send(message)
    except ConnectionLost as exc:
        log.debug("connection lost, reconnecting: %s", exc, exc_info=exc)
        return _later(row, str(exc), clock, settings, report)
    except TransportUnavailable as exc:
        log.debug("delivery stopped: %s", exc, exc_info=exc)  # the traceback: debug only
        report.unavailable = str(exc)
        stop.set()
        return _later(row, str(exc), clock, settings, report)
    except MessageRejected as exc:
        log.debug("message %s refused: %s", row.message_id, exc, exc_info=exc)
        if exc.permanent:
            report.failed += 1
            return Settled(row, "failed", f"refused by the server: {exc}")
        return _later(row, f"deferred by the server: {exc}", clock, settings, report)
    report.sent += 1
    report.resent_in_doubt += int(row.in_doubt)
    return Settled(row, "sent")


def _later(
    row: OutboxRow, reason: str, clock: TimeSource, settings: NotifySettings,
    report: DeliveryReport,
) -> Settled:
    """Back to ``pending`` with backoff; ``failed`` once it has had ``max_attempts``."""
    if row.attempts >= settings.max_attempts:
        report.failed += 1
        return Settled(row, "failed", f"gave up after {row.attempts} attempts: {reason}")
    report.retry_later += 1
    return Settled(row, "pending", reason, clock() + outbox.backoff(row.attempts))


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return min((t for t in (a, b) if t), default=None)


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return max((t for t in (a, b) if t), default=None)


def _s(count: int) -> str:
    return "" if count == 1 else "s"
