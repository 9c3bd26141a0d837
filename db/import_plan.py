"""Planning a bulk import case by case: parse, judge, check with the engine, chain, and
turn the result into rows ready for the driver. Pure apart from the process pool.

A big import is planned in worker processes (the engine's projection is most of an
import's work); the main process only reads and writes the database. What crosses between
them is plain data: a ``Batch`` of ``CaseJob`` out, a ``CaseOutcome`` per job back, in
the order given. A small import is planned in-process by the same function.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from calendars.base import WorkingCalendar
from db.bulk_write import Row, RowFormat
from db.deadline_rows import deadline_values
from db.errors import EventRefused, Problem
from db.event_store import StoredEvent, event_values, plan_append, to_event
from db.la_calendar import calendar_of
from engine.errors import InvalidEvent
from engine.events import CaseEvent, parse_event
from engine.status import Deadline

# What the door says of a parsed event (None: it may be recorded), run where it is parsed.
Judge = Callable[[CaseEvent], str | None]
# A stored row as read for planning, in ``STORED_COLUMNS`` order.
STORED_COLUMNS = ("seq", "type", "event_date", "client_event_id", "natural_key", "chain_hash",
                  "recorded_at", "recorded_by", "payload", "schema_version")
StoredRow = tuple[Any, ...]
BATCH_CASES = 250  # cases per batch sent to a worker: big enough to amortise the pickling
POOL_MIN_CASES = 1000  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class CaseJob:
    reference: str
    where: str
    case_id: int  # 0 in a dry run, for a case not yet opened
    la_id: int
    process: str
    calendar: tuple[str, str | None]  # (LA code, its loaded calendar data): ``calendar_of``
    stored: tuple[StoredRow, ...]
    events: tuple[tuple[str, Any], ...]  # (where, data) as the file gave them
    blocked: str | None = None  # the case itself is refused: judge its events, plan nothing


@dataclass(frozen=True)
class Batch:
    jobs: tuple[CaseJob, ...]
    now: dt.datetime
    actor: str
    dialect: str  # the rows are formatted for this backend's driver (``RowFormat``)
    judge: Judge | None


@dataclass(frozen=True)
class CaseOutcome:
    reference: str
    judged: tuple[Problem, ...]  # what the door refused
    problems: tuple[Problem, ...]  # what the store refused (the case, parsing, the engine)
    base_seq: int = 0
    fresh: int = 0
    repeats: int = 0
    stage: str = ""  # what its new history replays to (when it has fresh events)
    event_rows: tuple[Row, ...] = ()  # formatted by ``bulk_write.RowFormat``
    # A case with no events yet gets its rows inserted; one that had events gets its
    # deadlines diffed against its rows (``rewrite_deadlines``).
    deadline_rows: tuple[Row, ...] = ()
    rewrite: tuple[Deadline, ...] | None = None
    audit_row: Row | None = None  # its ``events_recorded`` entry

    @property
    def planned(self) -> bool:
        return not self.judged and not self.problems


def plan_batches(batches: Iterable[Batch], workers: int) -> Iterator[list[CaseOutcome]]:
    """Each batch's outcomes, in order: in ``workers`` processes, or here when 0."""
    if workers <= 0:
        yield from map(plan_batch, batches)
        return
    # Forked: a worker starts at once with everything imported, and nothing re-runs the
    # caller's main module (as spawn and forkserver would). It only computes: it never
    # touches the connections or the locks it inherits, and leaves by os._exit.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(plan_batch, batches)


def workers_for(cases: int) -> int:
    """How many worker processes an import of ``cases`` cases is planned in."""
    return 0 if cases < POOL_MIN_CASES else min(len(os.sched_getaffinity(0)), 8)


def plan_batch(batch: Batch) -> list[CaseOutcome]:
    form = RowFormat.for_dialect(batch.dialect)
    return [_plan(job, batch, form) for job in batch.jobs]


def _plan(job: CaseJob, batch: Batch, form: RowFormat) -> CaseOutcome:
    judged: list[Problem] = []
    refused: list[Problem] = []
    events: list[CaseEvent] = []
    for where, data in job.events:
        try:
            event = parse_event(data)
        except InvalidEvent as exc:
            refused.append(Problem(where, f"case {job.reference}: {exc.reason}"))
            continue
        events.append(event)
        found = batch.judge(event) if batch.judge is not None else None
        if found is not None:
            judged.append(Problem(where, f"case {job.reference}: {found}"))
    if job.blocked is not None:
        return CaseOutcome(job.reference, tuple(judged), (Problem(job.where, job.blocked),))
    if refused:
        return CaseOutcome(job.reference, tuple(judged), tuple(refused))
    stored = [_stored(row) for row in job.stored]
    try:
        plan = plan_append(job.process, _calendar(*job.calendar), stored, events,
                           match_content=True)
    except EventRefused as exc:
        where = job.events[exc.index][0] if exc.index is not None else job.where
        return CaseOutcome(job.reference, tuple(judged),
                           (Problem(where, f"case {job.reference}: {exc.reason}"),))
    outcome = CaseOutcome(job.reference, tuple(judged), (), plan.base_seq, len(plan.fresh),
                          len(plan.repeats))
    if not plan.fresh:
        return outcome
    values = event_values(job.case_id, plan.base_seq, plan.base_hash, plan.fresh, batch.now,
                          batch.actor)
    last = plan.base_seq + len(values)
    audit = form.row("audit_log", {
        "at": batch.now, "actor": batch.actor, "action": "events_recorded",
        "case_id": job.case_id, "la_id": job.la_id,
        "detail": {"seq_from": plan.base_seq + 1, "seq_to": last,
                   "types": [value["type"] for value in values]}})
    fresh_case = plan.base_seq == 0
    return CaseOutcome(
        job.reference, tuple(judged), (), plan.base_seq, len(plan.fresh), len(plan.repeats),
        plan.stage, tuple(form.row("case_events", value) for value in values),
        tuple(form.row("deadlines", {**deadline_values(d), "case_id": job.case_id,
                                     "projected_at": batch.now})
              for d in plan.deadlines) if fresh_case else (),
        None if fresh_case else plan.deadlines, audit,
    )


def _stored(row: StoredRow) -> StoredEvent:
    seq, kind, day, client_id, key, chain_hash, at, by, payload, version = row
    return StoredEvent(seq, kind, day, client_id, key, chain_hash, at, by,
                       to_event(seq, payload, version))


@lru_cache(maxsize=32)
def _calendar(la_code: str, data: str | None) -> WorkingCalendar:
    return calendar_of(la_code, data)
