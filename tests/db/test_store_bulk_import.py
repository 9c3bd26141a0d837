"""The bulk import at database speed (worker processes, COPY / executemany, batches
written as they are planned), both backends: a bad row in the middle of a big import
leaves nothing written, even when the caller commits anyway; the same file again changes
nothing; and what it stores -- events, chain, deadlines, stages, audit -- is what
recording the same events one at a time stores."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from store_helpers import STAFFS, open_case

from db import directory, event_store, import_plan
from db.bulk_write import BulkWriter
from db.demo_load import incoming_cases
from db.errors import ImportCollided, ImportRejected
from db.import_format import IncomingCase, IncomingEvent
from db.schema import AuditEntry, Case, CaseEventRow, DeadlineRow
from db.session import unit_of_work
from db.transfer import import_cases
from db.verify import verify
from demo import generate_open_cases
from engine.events import CaseEvent, event_date

AS_OF = dt.date(2026, 11, 23)
WORKERS = 2


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Many batches from a few cases, so some are written before a later one fails."""
    monkeypatch.setattr(import_plan, "BATCH_CASES", 7)


def _caseload(count: int) -> list[IncomingCase]:
    cases = incoming_cases(STAFFS, generate_open_cases(count, 7, AS_OF).cases)
    for case in cases:  # the demo's staff are not the fixture's
        case.caseworker = "alice"
    return cases


def _import(engine: Engine, cases: list[IncomingCase], **options: Any):
    with unit_of_work(engine, write=True) as session:
        return import_cases(session, cases, actor="importer", workers=WORKERS, **options)


def _everything(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row, by reference and without ids or instants of writing."""
    with unit_of_work(engine) as session:
        refs = dict(session.execute(select(Case.id, Case.reference)).all())
        cases = sorted((c.reference, c.process, c.stage, c.next_sweep_on)
                       for c in session.scalars(select(Case)))
        events = sorted((refs[e.case_id], e.seq, e.type, e.event_date, e.payload,
                         e.client_event_id, e.natural_key, e.recorded_by)
                        for e in session.scalars(select(CaseEventRow)))
        deadlines = sorted(
            (refs[d.case_id], *(getattr(d, name) for name in (
                "key", "instance", "rule", "kind", "statutory", "actor", "nominal", "due",
                "met_on", "met_by", "exception", "premature_on", "trigger", "trigger_date",
                "citation", "explanation", "plain_explanation", "exception_recorded_on",
                "escalates")), tuple(d.exceptions_available), tuple(d.warnings))
            for d in session.scalars(select(DeadlineRow)))
    return {"cases": cases, "events": events, "deadlines": deadlines}


def _counts(engine: Engine) -> tuple[int, ...]:
    with unit_of_work(engine) as session:
        return tuple(session.scalar(text(f"SELECT count(*) FROM {table}")) or 0
                     for table in ("cases", "case_events", "deadlines", "audit_log"))


def test_a_bad_row_in_the_middle_leaves_nothing_written(staffed):
    cases = _caseload(60)
    middle = cases[30].events[1]
    middle.data = {**middle.data, "type": "decision_to_asses_notified"}
    before = _counts(staffed)

    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, cases)

    assert [p.where for p in rejected.value.problems] == [middle.where]
    assert "unknown event type 'decision_to_asses_notified'" in \
        rejected.value.problems[0].reason
    assert _counts(staffed) == before


def test_nothing_is_kept_even_when_the_caller_commits_after_the_refusal(staffed):
    cases = _caseload(40)
    cases[-1].events[0].data = {**cases[-1].events[0].data, "date": "2025-02-30"}
    before = _counts(staffed)

    with unit_of_work(staffed, write=True) as session:
        with pytest.raises(ImportRejected):
            import_cases(session, cases, actor="importer", workers=WORKERS)
        # ... and the unit of work commits: the import's savepoint kept nothing

    assert _counts(staffed) == before


def test_every_problem_is_listed_in_the_order_of_the_file(staffed):
    cases = _caseload(30)
    bad = [cases[3].events[0], cases[17].events[-1], cases[29].events[0]]
    for item in bad:
        item.data = {**item.data, "type": "no_such_event"}

    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, cases)

    assert [p.where for p in rejected.value.problems] == [item.where for item in bad]


def test_the_same_file_again_changes_nothing(staffed):
    cases = _caseload(50)
    first = _import(staffed, cases)
    stored, counts = _everything(staffed), _counts(staffed)

    again = _import(staffed, cases)

    assert (first.cases_opened, first.events_already_present) == (50, 0)
    assert (again.cases_opened, again.cases_touched, again.events_added,
            again.events_already_present) == (0, 0, 0, first.events_added)
    assert _everything(staffed) == stored
    assert _counts(staffed)[:3] == counts[:3]  # (the audit log records the second import)


def _one_by_one(engine: Engine, cases: list[IncomingCase]) -> None:
    for case in cases:
        with unit_of_work(engine, write=True) as session:
            directory.open_case(session, case.reference, process=case.process or "",
                                caseworker="alice", la_code=STAFFS, actor="importer")
        for item in case.events:
            with unit_of_work(engine, write=True) as session:
                event_store.append(session, case.reference, [item.data], None, "importer")


def test_a_fast_import_stores_what_recording_one_by_one_stores(staffed,
                                                               fresh_sqlite_engine):
    cases = _caseload(40)
    _import(staffed, cases)
    _one_by_one(fresh_sqlite_engine, cases)

    assert _everything(staffed) == _everything(fresh_sqlite_engine)
    for engine in (staffed, fresh_sqlite_engine):
        with unit_of_work(engine) as session:
            checked = verify(session)  # sequence, chain and projection
        assert checked.intact, checked.findings


def test_an_import_onto_existing_histories_matches_one_by_one_too(staffed,
                                                                  fresh_sqlite_engine):
    cases = _caseload(40)
    halves = [IncomingCase(c.reference, c.where, c.la, c.process, c.caseworker, c.opened_at,
                           c.events[: len(c.events) // 2]) for c in cases]
    _import(staffed, halves)  # then the whole file: the rest of each history is appended

    report = _import(staffed, cases)

    _one_by_one(fresh_sqlite_engine, cases)
    assert report.events_already_present == sum(len(c.events) for c in halves)
    assert _everything(staffed) == _everything(fresh_sqlite_engine)
    with unit_of_work(staffed) as session:
        checked = verify(session)
        audited = session.scalars(select(AuditEntry.action)).all()
    assert checked.intact, checked.findings
    assert audited.count("case_opened") == 40


def test_a_row_another_writer_has_written_is_a_collision(staffed):
    open_case(staffed, "C1")
    with unit_of_work(staffed, write=True) as session:
        event_store.append(session, "C1", [{"type": "request_received",
                                            "date": "2025-01-06"}], None, "alice")
    with unit_of_work(staffed) as session:
        row = session.scalars(select(CaseEventRow)).one()
        values = {name: getattr(row, name) for name in (
            "case_id", "seq", "type", "event_date", "payload", "schema_version",
            "client_event_id", "natural_key", "recorded_at", "recorded_by", "chain_hash")}

    with unit_of_work(staffed, write=True) as session:
        writer = BulkWriter(session)
        row = writer.format.row("case_events", values)
        with pytest.raises(ImportCollided, match="another writer"):
            writer.insert("case_events", [row])


def test_a_small_import_is_planned_here_and_a_big_one_in_workers():
    assert import_plan.workers_for(import_plan.POOL_MIN_CASES - 1) == 0
    assert import_plan.workers_for(import_plan.POOL_MIN_CASES) >= 1


def test_workers_and_no_workers_plan_the_same(staffed, fresh_sqlite_engine):
    cases = _caseload(25)
    with unit_of_work(staffed, write=True) as session:
        import_cases(session, cases, actor="importer", workers=0)
    _import(fresh_sqlite_engine, cases)
    assert _everything(staffed) == _everything(fresh_sqlite_engine)


REFUSED_DAY = dt.date(2031, 1, 1)


def after_today(event: CaseEvent) -> str | None:
    """A judge as the door's (a module's function: the workers are given it pickled)."""
    return "after today" if event_date(event) == REFUSED_DAY else None


def test_what_the_judge_refuses_comes_before_what_the_store_refuses(staffed):
    cases = _caseload(20)
    cases[4].events.insert(0, IncomingEvent("line 99", {"type": "request_received",
                                                        "date": REFUSED_DAY.isoformat()}))
    cases[15].events[0].data = {**cases[15].events[0].data, "type": "no_such_event"}

    with pytest.raises(ImportRejected) as rejected:
        _import(staffed, cases, judge=after_today)

    # as before the import had workers: the door's findings first, then the store's
    judged, engine, parsing = rejected.value.problems
    assert str(judged) == f"line 99: case {cases[4].reference}: after today"
    assert (engine.where, parsing.where) == ("line 99", cases[15].events[0].where)
    assert "not possible at this point" in engine.reason
    assert "unknown event type 'no_such_event'" in parsing.reason
