"""Bulk import (all or nothing, re-runnable) and export (re-importable) of case histories.

Every event is validated, every case's resulting history goes through the engine, and
every problem is collected with its line. Cases are planned in batches (in worker
processes when there are many: ``db.import_plan``) and each batch is written as it comes
(``db.bulk_write``: COPY on PostgreSQL, executemany on SQLite) while no problem has been
found; after the first, planning goes on to find the rest and nothing is kept: the import
runs in a savepoint of the caller's transaction. Events already on file (same id, or same
content at the same occurrence when they carry no id) are recognised, so re-running an
import adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from db import audit, import_plan
from db.bulk_write import BulkWriter
from db.deadline_rows import deadlines_of_cases, rewrite_deadlines
from db.directory import get_case, get_caseworker, get_la
from db.errors import ImportRejected, Problem, StoreError
from db.event_store import EVENTS, to_record
from db.import_format import IncomingCase
from db.import_plan import Judge, StoredRow
from db.progress import Progress, silent
from db.schema import PROCESSES, Case, CaseEventRow, Caseworker, LocalAuthority
from engine.events import dump_event

EXPORT_FORMAT = "ehc-cases"
EXPORT_VERSION = 1


@dataclass(frozen=True)
class ImportReport:
    cases_opened: int
    cases_touched: int
    events_added: int
    events_already_present: int


def import_cases(
    session: Session,
    cases: Sequence[IncomingCase],
    *,
    actor: str,
    problems: Sequence[Problem] = (),
    source: str = "",
    progress: Progress = silent,
    judge: Judge | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import ``cases`` into the caller's transaction, or raise ``ImportRejected`` listing
    ``problems`` (from reading the file), what ``judge`` (the door) says of each event,
    and every problem found here. Nothing is left written when it raises: the import
    runs in a savepoint of its own.

    ``workers`` processes plan the cases (default: ``import_plan.workers_for``).

    Raises:
        ImportRejected: every problem; ImportCollided: another writer wrote the same
        cases or events meanwhile (PostgreSQL).
    """
    with session.begin_nested():
        report, found = _bring_in(session, cases, problems, progress, actor=actor,
                                  judge=judge, workers=workers, write=True)
        if found:
            raise ImportRejected(found)
        audit.record(session, actor, "import", at=audit.utc_now(), source=source,
                     **report.__dict__)
    return report


@dataclass(frozen=True)
class ImportCheck:
    would: ImportReport  # what importing now would write
    problems: tuple[Problem, ...]  # what would refuse it (empty: it would be written)


def check_cases(
    session: Session,
    cases: Sequence[IncomingCase],
    *,
    problems: Sequence[Problem] = (),
    progress: Progress = silent,
    judge: Judge | None = None,
    workers: int | None = None,
) -> ImportCheck:
    """Everything ``import_cases`` checks, against the store as it is, writing nothing (a
    dry run): what it would add, and every problem that would refuse it."""
    would, found = _bring_in(session, cases, problems, progress, actor="", judge=judge,
                             workers=workers, write=False)
    return ImportCheck(would, tuple(found))


def _bring_in(
    session: Session,
    cases: Sequence[IncomingCase],
    problems: Sequence[Problem],
    progress: Progress,
    *,
    actor: str,
    judge: Judge | None,
    workers: int | None,
    write: bool,
) -> tuple[ImportReport, list[Problem]]:
    """Plan every case (in worker processes when there are many) and, while no problem
    has been found and ``write``, write each batch as it is planned. Returns what was
    (or would be) written and every problem, in the order of the cases."""
    now = audit.utc_now()
    session.flush()  # the bulk writes below go round the ORM
    writer = BulkWriter(session)
    known = _Known(session, [incoming.reference for incoming in cases])
    targets = [_target(known, incoming) for incoming in cases]
    new = [target for target in targets if target.is_new and target.blocked is None]
    for target, case_id in zip(new, writer.new_case_ids(len(new)) if write else [0] * len(new),
                               strict=True):
        target.case_id = case_id
    batches = _batches(session, cases, targets, now=now, actor=actor, judge=judge,
                       dialect=writer.dialect)
    judged: list[Problem] = []
    found: list[Problem] = []
    opened = touched = added = present = done = 0
    chosen = import_plan.workers_for(len(cases)) if workers is None else workers
    with writer.writing() if write else nullcontext():
        for outcomes in import_plan.plan_batches(batches, chosen):
            for outcome in outcomes:
                judged += outcome.judged
                found += outcome.problems
            done += len(outcomes)
            progress(done, len(cases))
            planned = [(known.targets[o.reference], o) for o in outcomes if o.planned]
            opened += sum(target.is_new for target, _ in planned)
            touched += sum(o.fresh > 0 for _, o in planned)
            added += sum(o.fresh for _, o in planned)
            present += sum(o.repeats for _, o in planned)
            if write and not judged and not found:
                _write_batch(session, writer, planned, now=now, actor=actor)
    report = ImportReport(opened, touched, added, present)
    return report, [*problems, *judged, *found]


@dataclass
class _Target:
    """One case of the file: the stored case it goes to, or the new one it opens."""

    incoming: IncomingCase
    is_new: bool
    process: str = ""
    case_id: int = 0
    la_id: int = 0
    caseworker_id: int = 0
    calendar: tuple[str, str | None] = ("", None)
    blocked: str | None = None


def _target(known: _Known, incoming: IncomingCase) -> _Target:
    try:
        target = _case_for(known, incoming)
    except StoreError as exc:
        target = _Target(incoming, is_new=False,
                         blocked=f"case {incoming.reference}: {exc}")
    known.targets[incoming.reference] = target
    return target


def _batches(
    session: Session, cases: Sequence[IncomingCase], targets: Sequence[_Target], *,
    now: dt.datetime, actor: str, judge: Judge | None, dialect: str,
) -> Iterator[import_plan.Batch]:
    for start in range(0, len(cases), import_plan.BATCH_CASES):
        chunk = targets[start : start + import_plan.BATCH_CASES]
        stored = _stored_rows(session, [t.case_id for t in chunk
                                        if not t.is_new and t.blocked is None])
        jobs = tuple(
            import_plan.CaseJob(
                reference=t.incoming.reference, where=t.incoming.where, case_id=t.case_id,
                la_id=t.la_id, process=t.process, calendar=t.calendar,
                stored=tuple(stored.get(t.case_id, ())),
                events=tuple((item.where, item.data) for item in t.incoming.events),
                blocked=t.blocked,
            )
            for t in chunk
        )
        yield import_plan.Batch(jobs, now, actor, dialect, judge)


def _stored_rows(session: Session, ids: Sequence[int]) -> dict[int, list[StoredRow]]:
    rows: defaultdict[int, list[StoredRow]] = defaultdict(list)
    if ids:
        columns = [EVENTS.c[name] for name in import_plan.STORED_COLUMNS]
        query = (select(EVENTS.c.case_id, *columns).where(EVENTS.c.case_id.in_(ids))
                 .order_by(EVENTS.c.case_id, EVENTS.c.seq))
        for case_id, *row in session.execute(query):
            rows[case_id].append(tuple(row))
    return rows


def _write_batch(
    session: Session, writer: BulkWriter,
    planned: Sequence[tuple[_Target, import_plan.CaseOutcome]], *,
    now: dt.datetime, actor: str,
) -> None:
    form = writer.format
    new = [(target, outcome) for target, outcome in planned if target.is_new]
    writer.insert("cases", [
        form.row("cases", {"id": t.case_id, "reference": t.incoming.reference,
                           "la_id": t.la_id, "caseworker_id": t.caseworker_id,
                           "process": t.process, "opened_at": t.incoming.opened_at or now,
                           "stage": o.stage if o.fresh else None})
        for t, o in new])
    writer.insert("audit_log", [
        form.row("audit_log", {"at": now, "actor": actor, "action": "case_opened",
                               "case_id": t.case_id, "la_id": t.la_id,
                               "detail": {"reference": t.incoming.reference,
                                          "process": t.process,
                                          "caseworker": t.incoming.caseworker,
                                          "via": "import"}})
        for t, _ in new])
    written = [(target, outcome) for target, outcome in planned if outcome.fresh]
    writer.insert("case_events", [row for _, o in written for row in o.event_rows])
    writer.insert("deadlines", [row for _, o in written for row in o.deadline_rows])
    rewrites = [(t.case_id, o.rewrite) for t, o in written if o.rewrite is not None]
    if rewrites:
        existing = deadlines_of_cases(session, [i for i, _ in rewrites])
        for case_id, deadlines in rewrites:
            rewrite_deadlines(session, case_id, deadlines, now=now, existing=existing[case_id])
        session.flush()
    # (A rewritten case's next_sweep_on was cleared by rewrite_deadlines if it changed.)
    stages = [(t.case_id, o.stage, bool(o.deadline_rows)) for t, o in written
              if not t.is_new]
    writer.set_stages(stages)
    _expire_stages(session, {case_id for case_id, _, _ in stages})
    writer.insert("audit_log", [o.audit_row for _, o in written if o.audit_row])


def _expire_stages(session: Session, ids: set[int]) -> None:
    """Cases of this session whose stage was just set round the ORM read it again."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Case) and instance.id in ids:
            session.expire(instance, ["stage", "next_sweep_on"])


def export_cases(
    session: Session, reference: str | None = None, *, progress: Progress = silent
) -> dict[str, Any]:
    """Case histories as one JSON-ready document that ``import`` accepts back."""
    query = select(Case).options(
        joinedload(Case.local_authority), joinedload(Case.caseworker)
    ).order_by(Case.reference)
    if reference is not None:
        query = query.where(Case.id == get_case(session, reference).id)
    documents = []
    found = session.scalars(query).unique().all()
    for done, case in enumerate(found, start=1):
        progress(done, len(found))
        rows = session.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(CaseEventRow.seq)
        )
        documents.append(
            {
                "reference": case.reference,
                "local_authority": case.local_authority.code,
                "process": case.process,
                "caseworker": case.caseworker.username,
                "opened_at": case.opened_at.isoformat(),
                "events": [_exported_event(row) for row in rows],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": audit.utc_now().isoformat(),
        "cases": documents,
    }


def _exported_event(row: CaseEventRow) -> dict[str, Any]:
    """The event as recorded, with when and by whom from the row: the recorder is never
    what an event says. Who recorded it in an earlier system stays apart, as
    ``imported_recorded_by``/``_at`` (an older row may still carry it as ``recorded_*``)."""
    record = to_record(row)
    data = dump_event(record.event)
    for key in ("recorded_by", "recorded_at"):
        if key in data:
            data.setdefault(f"imported_{key}", data.pop(key))
    return {**data, "recorded_at": record.recorded_at.isoformat(),
            "recorded_by": record.recorded_by}


class _Known:
    """The cases, local authorities and caseworkers an import names, each read once."""

    def __init__(self, session: Session, references: Sequence[str]) -> None:
        self.session = session
        self.cases: dict[str, _StoredCase] = {}
        self.targets: dict[str, _Target] = {}
        query = (
            select(Case.id, Case.reference, Case.la_id, Case.caseworker_id, Case.process,
                   LocalAuthority.code, LocalAuthority.calendar_data, Caseworker.username)
            .join(LocalAuthority, LocalAuthority.id == Case.la_id)
            .join(Caseworker, Caseworker.id == Case.caseworker_id)
        )
        for start in range(0, len(references), 500):
            chunk = references[start : start + 500]
            for row in session.execute(query.where(Case.reference.in_(chunk))):
                self.cases[row.reference] = _StoredCase(*row)
        self._las: dict[str, LocalAuthority] = {}
        self._workers: dict[str, Caseworker] = {}

    def la(self, code: str) -> LocalAuthority:
        if code not in self._las:
            self._las[code] = get_la(self.session, code)
        return self._las[code]

    def caseworker(self, username: str) -> Caseworker:
        if username not in self._workers:
            self._workers[username] = get_caseworker(self.session, username)
        return self._workers[username]


class _StoredCase(NamedTuple):
    id: int
    reference: str
    la_id: int
    caseworker_id: int
    process: str
    la_code: str
    calendar_data: str | None
    caseworker: str


def _case_for(known: _Known, incoming: IncomingCase) -> _Target:
    """The existing case (checked against the file), or a new one not yet written."""
    case = known.cases.get(incoming.reference)
    if case is None:
        return _new_case(known, incoming)
    for label, given, actual in (
        ("la", incoming.la, case.la_code),
        ("process", incoming.process, case.process),
        ("caseworker", incoming.caseworker, case.caseworker),
    ):
        if given is not None and given != actual:
            raise StoreError(f"already exists with {label} {actual!r}, the file says {given!r}")
    return _Target(incoming, is_new=False, process=case.process, case_id=case.id,
                   la_id=case.la_id,
                   caseworker_id=case.caseworker_id,
                   calendar=(case.la_code, case.calendar_data))


def _new_case(known: _Known, incoming: IncomingCase) -> _Target:
    la_code, process, username = incoming.la, incoming.process, incoming.caseworker
    if la_code is None or process is None or username is None:
        missing = [n for n in ("la", "process", "caseworker") if getattr(incoming, n) is None]
        raise StoreError(f"is new, so the file must give its {', '.join(missing)}")
    if process not in PROCESSES:
        raise StoreError(f"unknown process {process!r} (expected assessment or review)")
    la = known.la(la_code)
    worker = known.caseworker(username)
    if worker.team.la_id != la.id:
        raise StoreError(f"caseworker {worker.username!r} does not work for {la.code}")
    return _Target(incoming, is_new=True, process=process, la_id=la.id,
                   caseworker_id=worker.id,
                   calendar=(la.code, la.calendar_data))
