"""The append-only case log: ``append`` and ``load``.

An append validates every submitted event, checks the case's whole new history with the
engine (refusing an illegal or impossible event with the engine's reason), then inserts
the events and rewrites the case's deadline rows in the caller's transaction: both or
neither. ``UNIQUE(case_id, seq)`` makes two writers who saw the same history collide: one
wins, the other gets ``CaseChanged``. A client-supplied event id makes a retry harmless:
the same id with the same content is recognised and nothing new is written.

Each row also gets a ``natural_key`` (a hash of the event's content plus its occurrence
number), so a re-import of a file whose events carry no ids adds nothing either, and a
``chain_hash`` linking it to the case's previous event (``db.chain``), so an edited past
event is found by ``ehc verify``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calendars.base import WorkingCalendar
from db import audit, chain
from db.base import Base
from db.deadline_rows import rewrite_deadlines
from db.directory import get_case
from db.errors import CaseChanged, ConflictingEventId, EventRefused, StoreError
from db.la_calendar import calendar_for
from db.schema import EVENT_SCHEMA_VERSION, Case
from engine.deadlines import Projection, project_case
from engine.errors import EngineError, InvalidEvent
from engine.events import CaseEvent, dump_event, event_date, parse_event
from engine.status import Deadline

# Core inserts: many rows in one executemany, without the ORM's per-row bookkeeping.
EVENTS: Table = Base.metadata.tables["case_events"]
# A writer that gave no expected_seq and lost a race tries again this often, pausing a
# random moment of up to RETRY_PAUSE_S x attempt so racing writers spread out.
APPEND_ATTEMPTS = 60
RETRY_PAUSE_S = 0.005
# Bookkeeping fields: not part of what an event says, so not part of its content hash.
_META_FIELDS = frozenset({"id", "recorded_at", "recorded_by", "imported_recorded_at",
                          "imported_recorded_by"})


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    event: CaseEvent
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class CaseHistory:
    reference: str
    la_code: str
    process: str
    caseworker: str
    opened_at: dt.datetime
    records: tuple[RecordedEvent, ...]

    @property
    def seq(self) -> int:
        """How many events the case has: pass it back as ``expected_seq``."""
        return self.records[-1].seq if self.records else 0

    @property
    def events(self) -> tuple[CaseEvent, ...]:
        return tuple(record.event for record in self.records)


@dataclass(frozen=True)
class AppendResult:
    reference: str
    recorded: tuple[RecordedEvent, ...]  # written now
    repeats: tuple[RecordedEvent, ...]  # submitted before (same id or content): not re-written
    seq: int
    deadlines: tuple[Deadline, ...] | None  # None when nothing was written


class FreshEvent(NamedTuple):
    """An event an append will write: what it says, its natural key and its payload."""

    event: CaseEvent
    natural_key: str
    payload: dict[str, Any]  # ``dump_event(event)``, dumped once for key, row and chain


@dataclass(frozen=True)
class StoredEvent:
    """A recorded row as planning needs it: plain values, so a worker process can plan
    without a session (``db.import_plan``)."""

    seq: int
    type: str
    event_date: dt.date
    client_event_id: str | None
    natural_key: str
    chain_hash: str
    recorded_at: dt.datetime
    recorded_by: str
    event: CaseEvent

    @property
    def record(self) -> RecordedEvent:
        return RecordedEvent(self.seq, self.event, self.recorded_at, self.recorded_by)


@dataclass(frozen=True)
class AppendPlan:
    """What an append will write, already checked against the case's whole history."""

    base_seq: int
    base_hash: str  # the case's last ``chain_hash`` (``chain.GENESIS`` when it has none)
    fresh: tuple[FreshEvent, ...]
    repeats: tuple[RecordedEvent, ...]
    deadlines: tuple[Deadline, ...]
    stage: str


@dataclass(frozen=True)
class PreparedAppend(AppendPlan):
    """An ``AppendPlan`` for a case of this session."""

    case: Case


def load(session: Session, reference: str) -> CaseHistory:
    case = get_case(session, reference)
    rows = _rows(session, case.id)
    return CaseHistory(
        reference=case.reference,
        la_code=case.local_authority.code,
        process=case.process,
        caseworker=case.caseworker.username,
        opened_at=case.opened_at,
        records=tuple(to_record(row) for row in rows),
    )


def append(
    session: Session,
    case: Case | str,
    events: Sequence[Mapping[str, Any] | CaseEvent],
    expected_seq: int | None,
    recorded_by: str,
) -> AppendResult:
    """Append ``events`` to ``case`` (a reference, or the case already read in this
    session) if it still has ``expected_seq`` events.

    ``expected_seq=None`` appends after whatever the case holds when this transaction
    reads it (still validated against that whole history). If a concurrent writer takes
    the same seqs first, the append is prepared again over the new history -- checked on
    its merits, refused only if the engine refuses it -- and retried, up to
    ``APPEND_ATTEMPTS`` times; with an ``expected_seq`` it is ``CaseChanged`` at once.

    Raises:
        NotFound: no such case.
        EventRefused: an event is malformed, or the engine refuses the new history.
        ConflictingEventId: an event id already recorded for different content.
        CaseChanged: the case no longer has ``expected_seq`` events, or a concurrent
            writer appended first.
    """
    if isinstance(case, str):
        case = get_case(session, case)
    reference = case.reference
    prepared = prepare(session, case, [_parse(item, i) for i, item in enumerate(events)])
    if prepared.fresh and expected_seq is not None and expected_seq != prepared.base_seq:
        raise CaseChanged(reference, expected_seq, prepared.base_seq)
    attempt = 1
    while True:
        try:
            return write(session, prepared, recorded_by)
        except CaseChanged:
            # Another writer took these seqs first (PostgreSQL: both read the same history).
            again = prepare(session, case, [fresh.event for fresh in prepared.fresh])
            repeats = prepared.repeats + again.repeats
            if not again.fresh:  # the same events, sent twice at once: the other call won
                return _result(case, (), repeats, again.base_seq, None)
            if expected_seq is not None or attempt >= APPEND_ATTEMPTS:
                raise CaseChanged(reference, prepared.base_seq, again.base_seq) from None
            # No version was given: "after whatever is there", re-validated against it.
            prepared = replace(again, repeats=repeats)
            time.sleep(random.uniform(0, RETRY_PAUSE_S * attempt))  # noqa: S311 (jitter)
            attempt += 1


def prepare(
    session: Session, case: Case, events: Sequence[CaseEvent], *, match_content: bool = False
) -> PreparedAppend:
    """``plan_append`` over the case's stored history, read in this session."""
    stored = [stored_event(row) for row in _rows(session, case.id)] if case.id is not None \
        else []
    plan = plan_append(case.process, calendar_for(case.local_authority), stored, events,
                       match_content=match_content)
    return PreparedAppend(**plan.__dict__, case=case)


def plan_append(
    process: str,
    calendar: WorkingCalendar,
    stored: Sequence[StoredEvent],
    events: Sequence[CaseEvent],
    *,
    match_content: bool = False,
) -> AppendPlan:
    """Split ``events`` into repeats and fresh ones, and check the resulting history.

    ``match_content`` (for imports) also treats an event without an id as a repeat when
    the case already holds the same content at the same occurrence.

    Raises:
        EventRefused: the engine refuses the new history (``index`` into ``events``).
        ConflictingEventId: an event id already recorded for different content.
    """
    by_id = {row.client_event_id: row for row in stored if row.client_event_id}
    by_key = {row.natural_key: row for row in stored}
    used = set(by_key)
    seen: dict[str, int] = {}
    fresh: list[tuple[int, FreshEvent]] = []
    repeats: list[RecordedEvent] = []
    for index, event in enumerate(events):
        payload = dump_event(event)
        digest = _digest(payload)
        seen[digest] = seen.get(digest, 0) + 1
        occurrence_key = f"{digest}#{seen[digest]}"
        earlier = by_id.get(event.id) if event.id else None
        if earlier is None and match_content and not event.id:
            earlier = by_key.get(occurrence_key)
        if earlier is not None:
            if not earlier.natural_key.startswith(f"{digest}#"):
                raise ConflictingEventId(
                    f"id {event.id!r} was already recorded for a different event "
                    f"(#{earlier.seq}, {earlier.type} on {earlier.event_date})",
                    index=index,
                )
            repeats.append(earlier.record)
            continue
        key = _free_key(digest, seen[digest], used)
        used.add(key)
        fresh.append((index, FreshEvent(event, key, payload)))
    _refuse_duplicate_ids([item.event for _, item in fresh])
    history = [*(row.event for row in stored), *(item.event for _, item in fresh)]
    projection = _check(calendar, history, stored, [index for index, _ in fresh])
    return AppendPlan(
        base_seq=stored[-1].seq if stored else 0,
        base_hash=stored[-1].chain_hash if stored else chain.GENESIS,
        fresh=tuple(item for _, item in fresh),
        repeats=tuple(repeats),
        deadlines=projection.deadlines,
        stage=projection.state.stage(process).value,
    )


def event_values(
    case_id: int, base_seq: int, base_hash: str, fresh: Sequence[FreshEvent],
    now: dt.datetime, recorded_by: str,
) -> list[dict[str, Any]]:
    """The ``case_events`` rows of ``fresh`` after ``base_seq``, each chained to the one
    before (``db.chain``)."""
    values = []
    previous = base_hash
    for offset, (event, key, payload) in enumerate(fresh, start=1):
        value = {
            "case_id": case_id,
            "seq": base_seq + offset,
            "type": event.type,
            "event_date": event_date(event),
            "payload": payload,
            "schema_version": EVENT_SCHEMA_VERSION,
            "client_event_id": event.id,
            "natural_key": key,
            "recorded_at": now,
            "recorded_by": recorded_by,
        }
        value["chain_hash"] = previous = chain.link(previous, value)
        values.append(value)
    return values


def write(
    session: Session, prepared: PreparedAppend, recorded_by: str, *, savepoint: bool = True
) -> AppendResult:
    """Insert the prepared events and rewrite the case's deadlines (caller's transaction).

    ``savepoint=False`` saves a round trip when the caller will abandon the whole
    transaction on ``CaseChanged`` anyway (a bulk import) rather than look again.

    Raises:
        CaseChanged: a concurrent writer inserted the same seqs or event ids first.
    """
    case = prepared.case
    if not prepared.fresh:
        return _result(case, (), prepared.repeats, prepared.base_seq, None)
    now = audit.utc_now()
    values = event_values(case.id, prepared.base_seq, prepared.base_hash, prepared.fresh, now,
                          recorded_by)
    try:
        with session.begin_nested() if savepoint else nullcontext():
            session.execute(EVENTS.insert(), values)
    except IntegrityError as exc:  # another writer took these seqs (or ids) first
        raise CaseChanged(case.reference, prepared.base_seq, None) from exc
    # A case with no events yet has no deadline rows: no need to read them.
    existing: list[Any] | None = [] if prepared.base_seq == 0 else None
    rewrite_deadlines(session, case.id, prepared.deadlines, now=now, existing=existing)
    case.stage = prepared.stage
    last = prepared.base_seq + len(values)
    audit.record(
        session, recorded_by, "events_recorded", case_id=case.id, la_id=case.la_id, at=now,
        seq_from=prepared.base_seq + 1, seq_to=last, types=[value["type"] for value in values],
    )
    recorded = tuple(
        RecordedEvent(prepared.base_seq + offset, fresh.event, now, recorded_by)
        for offset, fresh in enumerate(prepared.fresh, start=1)
    )
    return _result(case, recorded, prepared.repeats, last, prepared.deadlines)


def content_hash(event: CaseEvent) -> str:
    """What the event says (bookkeeping fields left out), as a stable hash."""
    return _digest(dump_event(event))


def _digest(payload: Mapping[str, Any]) -> str:
    data = {k: v for k, v in payload.items() if k not in _META_FIELDS}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_event(row: Any) -> StoredEvent:
    """A ``case_events`` row (ORM object or Core row) as the store's ``StoredEvent``."""
    return StoredEvent(row.seq, row.type, row.event_date, row.client_event_id,
                       row.natural_key, row.chain_hash, row.recorded_at, row.recorded_by,
                       to_record(row).event)


def to_record(row: Any) -> RecordedEvent:
    event = to_event(row.seq, row.payload, row.schema_version)
    return RecordedEvent(row.seq, event, row.recorded_at, row.recorded_by)


def to_event(seq: int, payload: Mapping[str, Any], schema_version: int) -> CaseEvent:
    """A stored payload as the event it records."""
    if schema_version > EVENT_SCHEMA_VERSION:
        raise StoreError(
            f"event #{seq} was stored by a newer version of ehc "
            f"(schema {schema_version}): upgrade before reading it"
        )
    return parse_event(payload)


def _parse(item: Mapping[str, Any] | CaseEvent, index: int) -> CaseEvent:
    if not isinstance(item, Mapping):
        return item
    try:
        return parse_event(item, index=index)
    except InvalidEvent as exc:
        raise EventRefused(exc.reason, index=index) from None


def _rows(session: Session, case_id: int) -> list[Any]:
    """The case's log in seq order, as Core rows (read-only: no ORM objects to build)."""
    query = select(EVENTS).where(EVENTS.c.case_id == case_id).order_by(EVENTS.c.seq)
    return list(session.execute(query))


def _free_key(digest: str, occurrence: int, used: set[str]) -> str:
    while f"{digest}#{occurrence}" in used:
        occurrence += 1
    return f"{digest}#{occurrence}"


def _refuse_duplicate_ids(events: Sequence[CaseEvent]) -> None:
    seen: set[str] = set()
    for index, event in enumerate(events):
        if event.id and event.id in seen:
            raise EventRefused(f"event id {event.id!r} is given twice", index=index)
        if event.id:
            seen.add(event.id)


def _check(
    calendar: WorkingCalendar,
    history: Sequence[CaseEvent],
    stored: Sequence[StoredEvent],
    fresh_indexes: Sequence[int],
) -> Projection:
    try:
        return project_case(history, calendar)
    except EngineError as exc:
        if exc.index is not None and exc.index >= len(stored):
            raise EventRefused(exc.reason, index=fresh_indexes[exc.index - len(stored)]) \
                from None
        if exc.index is not None:
            old = history[exc.index]
            raise EventRefused(
                f"{exc.reason} (in the light of recorded event #{exc.index + 1}, "
                f"{old.type} on {event_date(old)})"
            ) from None
        raise EventRefused(exc.reason) from None


def _result(
    case: Case,
    recorded: tuple[RecordedEvent, ...],
    repeats: tuple[RecordedEvent, ...],
    seq: int,
    deadlines: tuple[Deadline, ...] | None,
) -> AppendResult:
    return AppendResult(case.reference, recorded, repeats, seq, deadlines)
