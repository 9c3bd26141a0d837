"""Concurrency that tells the truth: a writer that gave no ``expected_seq`` is never told
"case changed" -- its append is re-validated against the new history and succeeds or is
refused on its merits -- and a SQLite writer blocked past the busy timeout keeps trying
for a bounded while before it is told the database is locked. Real threads, real
connections, both backends."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from store_helpers import DECIDED, REQUEST, append, load, open_case

from db import directory, event_store
from db.errors import CaseChanged, DatabaseUnavailable, EventRefused
from db.session import make_engine, unit_of_work
from db.verify import verify

WRITERS = 30


def closure(ident=None):
    event = {"type": "school_closure", "date": "2025-03-03", "school": "Oak Primary",
             "closed_from": "2025-03-03", "reopens_on": "2025-03-04"}
    return {**event, "id": ident} if ident else event


@pytest.fixture
def case(staffed):
    open_case(staffed, "C1")
    append(staffed, "C1", [REQUEST, DECIDED])
    return staffed


def test_many_writers_without_a_version_all_land_in_order_and_none_is_told_to_reload(case):
    barrier = threading.Barrier(WRITERS)
    url = case.url.render_as_string(hide_password=False)

    def write(n):
        engine = make_engine(url)  # each writer its own pool, as separate processes would
        barrier.wait()
        try:
            return append(engine, "C1", [closure(f"closure-{n}")])
        except CaseChanged as exc:
            return exc
        finally:
            engine.dispose()

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(write, range(WRITERS)))

    told_to_reload = [r for r in results if isinstance(r, CaseChanged)]
    assert told_to_reload == []
    history = load(case)
    assert [r.seq for r in history.records] == list(range(1, WRITERS + 3))
    assert sorted(e.id for e in history.events[2:]) == sorted(f"closure-{n}"
                                                                for n in range(WRITERS))
    with unit_of_work(case) as session:
        assert verify(session).findings == ()


def test_a_writer_without_a_version_is_judged_on_the_new_history_not_told_to_reload(
    staffed,
):
    """Two decisions on a case that has only its request: each is legal on what its
    writer read. The second writer collides with the first's uncommitted append;
    re-validated against the history that now holds the first decision, it is refused
    for what it says, not told that the case changed."""
    open_case(staffed, "C2")
    append(staffed, "C2", [REQUEST])
    first_inserted = threading.Event()
    outcome: dict[str, object] = {}

    def second_writer():
        first_inserted.wait()
        try:
            append(staffed, "C2", [{"type": "decision_to_assess_notified",
                                    "date": "2025-02-11", "outcome": "refuse"}], by="bob")
            outcome["result"] = "written"
        except (CaseChanged, EventRefused) as exc:
            outcome["result"] = exc

    thread = threading.Thread(target=second_writer)
    thread.start()
    with unit_of_work(staffed, write=True) as session:
        event_store.append(session, "C2", [DECIDED], 1, "alice")
        first_inserted.set()
        time.sleep(1.0)  # the second writer has read C2 and is now blocked on our insert
    thread.join(timeout=30)
    assert isinstance(outcome["result"], EventRefused), outcome
    assert "the decision whether to assess is already on file" in str(outcome["result"])
    assert [r.recorded_by for r in load(staffed, "C2").records] == ["alice", "alice"]


def test_with_a_version_a_lost_race_is_still_case_changed(case):
    barrier = threading.Barrier(4)

    def write(n):
        barrier.wait()
        try:
            return append(case, "C1", [closure(f"c{n}")], expected_seq=2)
        except CaseChanged as exc:
            return exc

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(write, range(4)))
    assert sum(isinstance(r, CaseChanged) for r in results) == 3
    assert load(case).seq == 3


def _hold_write_lock(url, seconds, started):
    engine = make_engine(url, busy_timeout_s=0.2, lock_retry_s=0)
    with unit_of_work(engine, write=True) as session:
        directory.add_la(session, "E06000002", "Middlesbrough", actor="import")
        session.flush()  # BEGIN IMMEDIATE: the write lock is ours from here
        started.set()
        time.sleep(seconds)
    engine.dispose()


def _locked_for(url, seconds):
    """Another process (a thread here) holds the write lock for ``seconds``, from now."""
    started = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(url, seconds, started))
    holder.start()
    started.wait(10)
    return holder


def test_a_sqlite_writer_blocked_past_the_busy_timeout_retries_and_gets_through(sqlite_url):
    holder = _locked_for(sqlite_url, 1.5)
    engine = make_engine(sqlite_url, busy_timeout_s=0.3, lock_retry_s=10)
    began = time.monotonic()
    with unit_of_work(engine, write=True) as session:
        directory.add_la(session, "E06000001", "Hartlepool", actor="t")
    waited = time.monotonic() - began
    holder.join()
    with unit_of_work(engine) as session:
        assert directory.get_la(session, "E06000001").name == "Hartlepool"
    engine.dispose()
    assert waited > 0.6  # well past the busy timeout: it kept trying


def test_a_sqlite_writer_blocked_past_the_retry_window_is_told_it_is_locked(sqlite_url):
    holder = _locked_for(sqlite_url, 3.0)
    engine = make_engine(sqlite_url, busy_timeout_s=0.2, lock_retry_s=0.8)
    began = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match=r"locked by another process \(a long "
                       r"import\?\); nothing was written"), \
            unit_of_work(engine, write=True) as session:
        directory.add_la(session, "E06000001", "Hartlepool", actor="t")
    waited = time.monotonic() - began
    holder.join()
    engine.dispose()
    assert 0.8 <= waited < 2.5


def test_the_lock_retry_comes_from_its_setting():
    from services.settings import load_settings

    assert load_settings({}).db_lock_retry_seconds == 30.0
    assert load_settings({"EHC_DB_LOCK_RETRY_SECONDS": "0"}).db_lock_retry_seconds == 0.0
