"""Writing to the outbox and moving its rows through pending -> sending -> sent, failed
or withdrawn (``suppressed`` rows are recorded that way and never move); what is left
after a run (``backlog``), and a person's ``requeue`` of waiting or failed rows.

Every write is ``INSERT ... ON CONFLICT DO NOTHING`` on a natural key (SQLite and
PostgreSQL both have it), so recording the same night twice, or two sweeps at once,
records each escalation and each email once. Each status change is guarded by the status
it expects (a row claimed by someone else is skipped).

Delivery claims a batch at once (``reserve``: one statement; the rows are ``sending``
with no ``claimed_at`` and the batch's instant as ``next_attempt_at``, its token). Just
before a message is handed to the relay its row gets ``claimed_at`` (``hand_over``), in
the same transaction that records what became of the previous message on that connection
(``Settled``): so a process killed mid-batch leaves at most one row per connection handed
over and unmarked (resent, ``in_doubt``); the reserved rows it never reached simply go back
to ``pending``. One ``Writer.hand_over`` serves any number of connections at once: one
statement hands over all their next messages and marks all their previous ones ``sent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, Engine, Table, bindparam, case, func, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Update

from db import audit
from db.bulk import copy_to_scratch
from db.notify_schema import EscalationRow, OutboxRow
from db.schema import Case, Caseworker
from db.session import database_errors, unit_of_work

ACTOR = "ehc-sweep"
BACKOFF_FIRST = dt.timedelta(minutes=5)
# Capped well under a day, so a message that failed tonight is due again tomorrow night.
BACKOFF_MAX = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Email:
    """One email to record: its outbox key, who gets it, and its notice's payload."""

    key: str
    kind: str
    la_id: int
    recipient_role: str
    recipient_email: str | None
    payload: dict[str, Any]
    message_id: str
    escalation: tuple[int, str, str, str] | None = None  # (case id, deadline key, instance, level)


def insert_ignoring_duplicates(
    session: Session, entity: type[Any], rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> list[Any]:
    """Insert ``rows``; those whose ``keys`` are already taken are skipped, not failed.

    PostgreSQL: the rows are COPYed into a temporary table and moved across by one
    ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``. SQLite: one cached statement run
    over all the rows (``executemany``). Compiling a fresh VALUES clause per batch, having
    the driver parse one, or letting the ORM regroup rows whose empty columns differ, each
    cost more than the inserts themselves.

    Returns:
        The primary keys and key columns of the rows actually inserted.
    """
    if not rows:
        return []
    table = entity.__table__
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):  # the sweep's rows: no copies needed
        names, uniform = list(first), list(rows)
    else:
        names = list(dict.fromkeys(name for row in rows for name in row))
        uniform = [{name: row.get(name) for name in names} for row in rows]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _copied_ignoring_duplicates(session, table.name, names, uniform, keys)
    if dialect != "sqlite":
        raise NotImplementedError(f"no INSERT ... ON CONFLICT for {dialect}")
    stmt = (sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
            .returning(table.c.id, *(table.c[k] for k in keys)))
    return list(session.connection().execute(stmt, uniform).all())


def _copied_ignoring_duplicates(
    session: Session, table: str, names: list[str], rows: list[dict[str, Any]],
    keys: Sequence[str],
) -> list[Any]:
    """PostgreSQL's half of ``insert_ignoring_duplicates``, in the caller's transaction
    (the names are this module's own, never input)."""
    scratch = copy_to_scratch(session, table, names, rows)
    columns = ", ".join(f'"{name}"' for name in names)
    conflict = ", ".join(f'"{key}"' for key in keys)
    returned = ", ".join(["id", *(f'"{key}"' for key in keys)])
    return list(session.execute(text(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {scratch} "
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {returned}")).all())


def record_emails(
    session: Session,
    escalations: Sequence[dict[str, Any]],
    emails: Sequence[Email],
    *,
    now: dt.datetime,
    suppressed: str | None = None,
) -> tuple[int, int]:
    """Record escalation rows, then the emails of those that are new, in the caller's
    transaction. Returns (escalations recorded, emails recorded).

    With ``suppressed`` (the reason), the emails are recorded ``suppressed``: final, never
    sent (a baseline sweep).
    """
    esc_keys = ("case_id", "deadline_key", "instance", "level")
    new = insert_ignoring_duplicates(session, EscalationRow, escalations, esc_keys)
    ids = {tuple(row[1:]): row[0] for row in new}
    rows = [
        _outbox_values(email, ids, now, suppressed)
        for email in emails
        if email.escalation is None or email.escalation in ids
    ]
    inserted = insert_ignoring_duplicates(session, OutboxRow, rows, ("key",))
    return len(new), len(inserted)


def _outbox_values(
    email: Email, ids: dict[Any, int], now: dt.datetime, suppressed: str | None
) -> dict[str, Any]:
    status, reason = "pending", None
    if email.recipient_email is None:
        role = email.recipient_role.replace("_", " ")
        status, reason = "failed", f"no email address recorded for the {role}"
    if suppressed:
        status, reason = "suppressed", suppressed
    return {
        "key": email.key,
        "kind": email.kind,
        "la_id": email.la_id,
        "escalation_id": ids.get(email.escalation) if email.escalation else None,
        "recipient_role": email.recipient_role,
        "recipient_email": email.recipient_email,
        "payload": email.payload,
        "message_id": email.message_id,
        "status": status,
        "attempts": 0,
        "in_doubt": False,
        "created_at": now,
        "next_attempt_at": now,
        "last_error": reason,
    }


def reserve(
    engine: Engine, *, la_id: int | None, now: dt.datetime, after_id: int, limit: int
) -> list[OutboxRow]:
    """Claim up to ``limit`` due rows after ``after_id`` in one statement, ``now`` being
    the batch's token; returns them (oldest first) as they stand reserved."""
    due = (
        select(OutboxRow.id)
        .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now,
               OutboxRow.id > after_id, *_in_la(la_id))
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        # Two runs at once: each skips the other's rows; materialised, so that the planner
        # cannot re-run the LIMIT (and take more rows) for each row it updates.
        due = due.with_for_update(skip_locked=True)
    chosen = due.cte("due").prefix_with("MATERIALIZED")
    with unit_of_work(engine, write=True) as session:
        rows = session.scalars(
            update(OutboxRow)
            .where(OutboxRow.id.in_(select(chosen.c.id)), OutboxRow.status == "pending")
            .values(status="sending", claimed_at=None, next_attempt_at=now)
            .returning(OutboxRow)
            .execution_options(synchronize_session=False)
        ).all()
        session.expunge_all()
    return sorted(rows, key=lambda row: row.id)


@dataclass(frozen=True)
class Settled:
    """What became of a message: ``sent``, back to ``pending`` (tried again from
    ``retry_at``) or ``failed`` for good (``reason`` says why, for both)."""

    row: OutboxRow
    status: Literal["sent", "pending", "failed"]
    reason: str | None = None
    retry_at: dt.datetime | None = None


def backoff(attempts: int) -> dt.timedelta:
    """How long a message waits after its ``attempts``-th attempt failed."""
    wait: dt.timedelta = min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)
    return wait


# The table itself, for delivery's statements: the ORM's bulk UPDATE costs more than the
# rows it changes.
OUTBOX = cast(Table, OutboxRow.__table__)
# A turn of a delivery run's connections in one statement. Its rows are the batch's
# (reserved with ``token``): one already handed over (``claimed_at`` set) went and is
# marked sent; one not yet is handed over now, one attempt more. Rows another run took
# since carry its token.
_HANDED = OUTBOX.c.claimed_at.is_not(None)
# Typed: inside CASE and COALESCE nothing tells SQLAlchemy it is an instant, and SQLite
# would be given the driver's spelling of it, not the one every other instant is stored in.
_NOW = bindparam("now", type_=OUTBOX.c.sent_at.type)


@cache
def _turn(rows: int) -> Update:
    """The statement for ``rows`` rows, built once for each count: one with an expanding
    IN is rendered anew at every execution, which cost more than running it."""
    return (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_([bindparam(f"id{n}") for n in range(rows)]),
               OUTBOX.c.status == "sending", OUTBOX.c.next_attempt_at == bindparam("token"))
        .values(status=case((_HANDED, "sent"), else_=OUTBOX.c.status),
                sent_at=case((_HANDED, _NOW), else_=None),
                attempts=case((_HANDED, OUTBOX.c.attempts), else_=OUTBOX.c.attempts + 1),
                claimed_at=func.coalesce(OUTBOX.c.claimed_at, _NOW))
        .returning(OUTBOX.c.id)
    )


class Writer:
    """One connection kept for a delivery run's many small transactions: checking one out
    and opening a Session for each cost more than its statements. One thread at a time."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def hand_over(
        self, rows: Sequence[OutboxRow], *, token: dt.datetime, now: dt.datetime,
        settled: Sequence[Settled] = (),
    ) -> set[int]:
        """One transaction: record ``settled`` (what became of messages already handed
        over), and that ``rows`` (reserved with ``token``) are about to go to the relay, one
        attempt more each; the sent and the handed over in one statement. Returns the ids
        of ``rows`` still ours: one another run recovered meanwhile is not (and is left
        alone)."""
        sent = [s.row.id for s in settled if s.status == "sent"]
        handing = [row.id for row in rows]
        with self._connection.begin():
            self._not_sent([s for s in settled if s.status != "sent"], now)
            if not sent and not handing:
                return set()
            ids = {f"id{n}": row_id for n, row_id in enumerate(sent + handing)}
            changed = set(self._connection.execute(
                _turn(len(ids)), {**ids, "token": token, "now": now}).scalars())
        for row in rows:
            if row.id in changed:
                row.claimed_at, row.attempts = now, row.attempts + 1
        return changed.intersection(handing)

    def _not_sent(self, settled: Sequence[Settled], now: dt.datetime) -> None:
        """The messages that did not go (rare): a statement each, failures audited."""
        if not settled:
            return
        with Session(self._connection) as session:  # in the connection's transaction
            for s in settled:
                values: dict[str, Any] = {"status": s.status, "last_error": s.reason}
                if s.status == "pending":
                    values["next_attempt_at"] = s.retry_at
                else:
                    audit.record(session, ACTOR, "email_failed", la_id=s.row.la_id, at=now,
                                 key=s.row.key, message_id=s.row.message_id, reason=s.reason)
                _finish(session, s.row.id, **values)
            session.flush()


@contextmanager
def writer(engine: Engine) -> Iterator[Writer]:
    """A ``Writer`` on a connection of its own, for as long as the block runs."""
    bind = engine.execution_options(sqlite_begin="IMMEDIATE")
    with database_errors(engine.url), bind.connect() as connection:
        yield Writer(connection)


def release(engine: Engine, ids: Sequence[int], *, token: dt.datetime) -> None:
    """Give back the reserved rows a stopped run did not reach: ``pending``, due now."""
    if not ids:
        return
    with unit_of_work(engine, write=True) as session:
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(list(ids)), OutboxRow.status == "sending",
                   OutboxRow.claimed_at.is_(None), OutboxRow.next_attempt_at == token)
            .values(status="pending")
            .execution_options(synchronize_session=False)
        )


def withdraw_all(engine: Engine, stale: Sequence[tuple[OutboxRow, int, str]], *,
                 now: dt.datetime) -> None:
    """Never send these rows (row, case id, reason): what each says stopped being true
    before it could go. One transaction for the batch, one statement per reason."""
    if not stale:
        return
    by_reason: dict[str, list[int]] = {}
    for row, _, reason in stale:
        by_reason.setdefault(reason, []).append(row.id)
    with unit_of_work(engine, write=True) as session:
        for reason, ids in by_reason.items():
            session.execute(update(OUTBOX)
                            .where(OUTBOX.c.id.in_(ids), OUTBOX.c.status == "sending")
                            .values(status="withdrawn", last_error=reason))
        for row, case_id, reason in stale:
            audit.record(session, ACTOR, "email_withdrawn", case_id=case_id, la_id=row.la_id,
                         at=now, key=row.key, message_id=row.message_id, reason=reason)


def recover_interrupted(
    engine: Engine, *, la_id: int | None, now: dt.datetime, lease: dt.timedelta
) -> tuple[int, int]:
    """Rows left ``sending`` longer than ``lease`` were interrupted (the process died
    between handing a message to the server and recording it). Each is sent once more,
    flagged ``in_doubt`` because the recipient may already have it; one interrupted a
    second time is failed for a person to check. Returns (to resend, given up)."""
    query = select(OutboxRow).where(
        OutboxRow.status == "sending", OutboxRow.claimed_at < now - lease, *_in_la(la_id)
    )
    resend = given_up = 0
    with unit_of_work(engine, write=True) as session:
        session.execute(  # reserved by a batch that died before handing them over
            update(OutboxRow)
            .where(OutboxRow.status == "sending", OutboxRow.claimed_at.is_(None),
                   OutboxRow.next_attempt_at < now - lease, *_in_la(la_id))
            .values(status="pending", next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        for row in session.scalars(query):
            when = row.claimed_at.isoformat() if row.claimed_at else "?"
            if row.in_doubt:
                row.status = "failed"
                row.last_error = (f"interrupted again while sending at {when}; not retried: "
                                  f"check the mail server's log for {row.message_id}")
                given_up += 1
            else:
                row.status, row.in_doubt, row.next_attempt_at = "pending", True, now
                row.last_error = (f"interrupted while sending at {when}: sent once more; "
                                  "the recipient may get it twice (same Message-ID)")
                resend += 1
            audit.record(session, ACTOR, "email_interrupted", la_id=row.la_id, at=now,
                         key=row.key, message_id=row.message_id, outcome=row.status)
    return resend, given_up


@dataclass(frozen=True)
class Backlog:
    """What is left in the outbox after a run: nothing here is silently stuck."""

    due: int = 0  # pending and due now (the run stopped before reaching them)
    waiting: int = 0  # pending in backoff, due again from ``first_retry`` to ``last_retry``
    first_retry: dt.datetime | None = None
    last_retry: dt.datetime | None = None
    in_flight: int = 0  # ``sending``: another run has them, or one died holding them ...
    lease_expires: dt.datetime | None = None  # ... and the last is resent after this
    failed: int = 0  # given up, in all: for a person (``ehc outbox retry --failed``)


def backlog(
    engine: Engine, *, la_id: int | None, now: dt.datetime, lease: dt.timedelta
) -> Backlog:
    later = case((OutboxRow.next_attempt_at > now, True), else_=False)
    query = (
        select(OutboxRow.status, later, func.count(), func.min(OutboxRow.next_attempt_at),
               func.max(OutboxRow.next_attempt_at), func.max(OutboxRow.claimed_at))
        .where(OutboxRow.status.in_(("pending", "sending", "failed")), *_in_la(la_id))
        .group_by(OutboxRow.status, later)
    )
    found: dict[str, Any] = {}
    with unit_of_work(engine) as session:
        for status, is_later, count, first, last, claimed in session.execute(query):
            if status == "pending" and is_later:
                found.update(waiting=count, first_retry=first, last_retry=last)
            elif status == "pending":
                found["due"] = count
            elif status == "sending":
                found["in_flight"] = found.get("in_flight", 0) + count
                expiries = [found.get("lease_expires"), claimed + lease if claimed else None]
                found["lease_expires"] = max((e for e in expiries if e), default=None)
            else:
                found["failed"] = found.get("failed", 0) + count
    return Backlog(**found)


@dataclass(frozen=True)
class Requeued:
    from_backoff: int  # pending rows made due now
    from_failed: int  # failed rows made pending again (attempts start over)
    no_address: int  # failed rows left failed: no address to send to
    in_flight: int  # ``sending`` rows left alone: their lease decides


def requeue(
    session: Session,
    *,
    failed: bool,
    case_reference: str | None,
    actor: str,
    now: dt.datetime,
) -> Requeued:
    """Make waiting rows due now and, with ``failed``, give failed rows a fresh start
    (an ``in_doubt`` flag is kept, so a resend still carries its mark). Audited."""
    scope: list[ColumnElement[bool]] = []
    if case_reference is not None:
        ids = select(EscalationRow.id).join(Case, Case.id == EscalationRow.case_id).where(
            Case.reference == case_reference)
        scope.append(OutboxRow.escalation_id.in_(ids))
    backoff = _count_update(session, update(OutboxRow).where(
        OutboxRow.status == "pending", OutboxRow.next_attempt_at > now, *scope,
    ).values(next_attempt_at=now))
    revived = no_address = 0
    if failed:
        revived = _count_update(session, update(OutboxRow).where(
            OutboxRow.status == "failed", OutboxRow.recipient_email.is_not(None), *scope,
        ).values(status="pending", attempts=0, next_attempt_at=now,
                 last_error="requeued by " + actor + " (was: " + func.coalesce(
                     OutboxRow.last_error, "") + ")"))
        no_address = int(session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.status == "failed", OutboxRow.recipient_email.is_(None), *scope)) or 0)
    in_flight = int(session.scalar(select(func.count()).select_from(OutboxRow).where(
        OutboxRow.status == "sending", *scope)) or 0)
    result = Requeued(backoff, revived, no_address, in_flight)
    audit.record(session, actor, "email_requeued", at=now, case=case_reference,
                 failed=failed, from_backoff=backoff, from_failed=revived)
    return result


def _count_update(session: Session, statement: Any) -> int:
    done = session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(done, "rowcount", 0))


def _finish(session: Session, row_id: int, **values: Any) -> None:
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.status == "sending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _in_la(la_id: int | None) -> list[ColumnElement[bool]]:
    return [] if la_id is None else [OutboxRow.la_id == la_id]


@dataclass(frozen=True)
class OutboxEntry:
    """One email as the outbox knows it: who, about what, and whether it went."""

    reference: str | None  # the case, for escalations; digests concern many
    kind: str
    deadline_key: str | None
    level: str | None
    recipient_role: str
    recipient_email: str | None
    status: str
    attempts: int
    in_doubt: bool
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None


def entries(
    session: Session,
    *,
    la_id: int | None = None,
    reference: str | None = None,
    status: str | None = None,
    team_id: int | None = None,
    limit: int = 100,
) -> list[OutboxEntry]:
    """Outbox rows, newest first, optionally of one authority, case, status or the cases
    of one team (escalations only: digests concern no one case)."""
    o, e = OutboxRow, EscalationRow
    query = (
        select(Case.reference, o.kind, e.deadline_key, e.level, o.recipient_role,
               o.recipient_email, o.status, o.attempts, o.in_doubt, o.created_at,
               o.next_attempt_at, o.sent_at, o.last_error)
        .select_from(o)
        .outerjoin(e, e.id == o.escalation_id)
        .outerjoin(Case, Case.id == e.case_id)
        .order_by(o.created_at.desc(), o.id.desc())
        .limit(limit)
    )
    if la_id is not None:
        query = query.where(o.la_id == la_id)
    if reference is not None:
        query = query.where(Case.reference == reference)
    if status is not None:
        query = query.where(o.status == status)
    if team_id is not None:
        query = query.join(Caseworker, Caseworker.id == Case.caseworker_id) \
            .where(Caseworker.team_id == team_id)
    return [OutboxEntry(*row) for row in session.execute(query)]
