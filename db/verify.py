"""Checking the store against itself: what ``ehc verify`` reads and recomputes.

For every case (or one):

- **sequence**: its events are numbered 1, 2, 3... with no gap, and the audit log's
  ``events_recorded`` entries account for exactly that many (a deleted last event leaves
  no gap, but the audit still says it was recorded);
- **chain**: every row's ``chain_hash`` is the link of the previous row's hash and the
  row's own content (``db.chain``), so an edited row, or a row moved, removed or
  inserted, is named; ``heads_digest`` folds every case's last hash into one value an
  auditor can note and compare on a later run (an attacker who rewrote a case's whole
  chain would change it);
- **projection**: its ``deadlines`` rows are exactly what the engine projects from its
  log today (``ehc rebuild-projections`` repairs a difference; the log is the truth).

Nothing is written. Cases are read in chunks, so memory stays flat on a large store.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from db import chain
from db.deadline_rows import deadline_from_row
from db.directory import get_case
from db.errors import StoreError
from db.event_store import to_record
from db.la_calendar import calendar_for
from db.schema import AuditEntry, Case, CaseEventRow, DeadlineRow
from engine.deadlines import project_deadlines
from engine.errors import EngineError
from engine.events import CaseEvent
from engine.status import Deadline

CHUNK = 500


@dataclass(frozen=True)
class Finding:
    reference: str
    check: str  # "sequence", "chain", "projection" or "unreadable"
    detail: str

    def __str__(self) -> str:
        return f"{self.reference}: {self.check}: {self.detail}"


@dataclass(frozen=True)
class Verification:
    cases: int
    events: int
    heads_digest: str
    findings: tuple[Finding, ...]

    @property
    def intact(self) -> bool:
        return not self.findings


def verify(session: Session, reference: str | None = None) -> Verification:
    """Check every case (or ``reference``); raises ``NotFound`` for an unknown case."""
    query = select(Case).options(joinedload(Case.local_authority)).order_by(Case.id)
    if reference is not None:
        query = query.where(Case.id == get_case(session, reference).id)
    cases = list(session.scalars(query))
    findings: list[Finding] = []
    heads = hashlib.sha256()
    events = 0
    for chunk in _chunks(cases):
        rows, recorded, projected = _read(session, [case.id for case in chunk])
        for case in chunk:
            logged = rows[case.id]
            events += len(logged)
            findings += _sequence(case.reference, logged, recorded[case.id])
            findings += _chain(case.reference, logged)
            findings += _projection(case, logged, projected[case.id])
            head = logged[-1].chain_hash if logged else chain.GENESIS
            heads.update(f"{case.reference}\t{len(logged)}\t{head}\n".encode())
    return Verification(len(cases), events, heads.hexdigest(), tuple(findings))


def _read(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[CaseEventRow]], dict[int, int], dict[int, list[DeadlineRow]]]:
    rows: defaultdict[int, list[CaseEventRow]] = defaultdict(list)
    query = select(CaseEventRow).where(CaseEventRow.case_id.in_(ids))
    for row in session.scalars(query.order_by(CaseEventRow.case_id, CaseEventRow.seq)):
        rows[row.case_id].append(row)
    recorded: defaultdict[int, int] = defaultdict(int)
    audits = select(AuditEntry.case_id, AuditEntry.detail).where(
        AuditEntry.case_id.in_(ids), AuditEntry.action == "events_recorded")
    for case_id, detail in session.execute(audits):
        if case_id is not None:
            recorded[case_id] = max(recorded[case_id], int(detail.get("seq_to", 0)))
    projected: defaultdict[int, list[DeadlineRow]] = defaultdict(list)
    for deadline in session.scalars(select(DeadlineRow).where(DeadlineRow.case_id.in_(ids))):
        projected[deadline.case_id].append(deadline)
    return rows, recorded, projected


def _sequence(reference: str, rows: Sequence[CaseEventRow], recorded: int) -> Iterator[Finding]:
    for expected, row in enumerate(rows, start=1):
        if row.seq != expected:
            yield Finding(reference, "sequence",
                          f"event #{row.seq} follows #{expected - 1}: events are missing")
            break
    held = rows[-1].seq if rows else 0
    if recorded != held:
        yield Finding(reference, "sequence",
                      f"the audit log records events up to #{recorded}, the log holds "
                      f"up to #{held}")


def _chain(reference: str, rows: Sequence[CaseEventRow]) -> Iterator[Finding]:
    previous = chain.GENESIS
    for row in rows:
        values = {name: getattr(row, name) for name in chain.CHAINED}
        if chain.link(previous, values) != row.chain_hash:
            yield Finding(reference, "chain",
                          f"event #{row.seq} ({row.type}) does not match its hash: it was "
                          "changed, moved or inserted after it was recorded")
        previous = row.chain_hash


def _projection(
    case: Case, rows: Sequence[CaseEventRow], stored: Sequence[DeadlineRow]
) -> Iterator[Finding]:
    events: list[CaseEvent] = []
    for row in rows:
        try:
            events.append(to_record(row).event)
        except (StoreError, EngineError, ValueError) as exc:  # a payload we cannot read
            yield Finding(case.reference, "unreadable", f"event #{row.seq}: {exc}")
            return
    try:
        fresh = project_deadlines(events, calendar_for(case.local_authority))
    except EngineError as exc:
        yield Finding(case.reference, "projection", f"the engine refuses its history: {exc}")
        return
    detail = _difference({(d.key, d.instance): d for d in fresh},
                         {(r.key, r.instance): deadline_from_row(r) for r in stored})
    if detail:
        yield Finding(case.reference, "projection",
                      f"the deadlines differ from a fresh rebuild ({detail}): run "
                      "`ehc rebuild-projections`")


def _difference(
    fresh: dict[tuple[str, str], Deadline], stored: dict[tuple[str, str], Deadline]
) -> str:
    missing = sorted(set(fresh) - set(stored))
    extra = sorted(set(stored) - set(fresh))
    changed = sorted(k for k in set(fresh) & set(stored) if fresh[k] != stored[k])
    parts = [
        f"{len(keys)} {what}: {', '.join(key for key, _ in keys[:3])}"
        for what, keys in (("missing", missing), ("extra", extra), ("different", changed))
        if keys
    ]
    return "; ".join(parts)


def _chunks(cases: list[Case]) -> Iterator[list[Case]]:
    for start in range(0, len(cases), CHUNK):
        yield cases[start : start + CHUNK]
