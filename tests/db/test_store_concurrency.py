"""Two caseworkers at once, with real connections in real threads, on both backends."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from store_helpers import DECIDED, REQUEST, append, load, open_case, table_counts

from db import event_store
from db.errors import CaseChanged
from db.session import unit_of_work

ADVICE = [
    {"type": "advice_requested", "date": "2025-02-11", "advisor": advisor}
    for advisor in ("educational_psychologist", "health_icb", "social_care", "head_teacher")
]


@pytest.fixture
def case(staffed):
    open_case(staffed, "C1")
    append(staffed, "C1", [REQUEST, DECIDED])
    return staffed


def _race(engine, batches, expected_seq):
    """Every writer waits at the barrier, then appends its batch at ``expected_seq``."""
    barrier = threading.Barrier(len(batches))

    def write(batch):
        barrier.wait()
        try:
            return append(engine, "C1", batch, expected_seq=expected_seq)
        except CaseChanged as exc:
            return exc

    with ThreadPoolExecutor(len(batches)) as pool:
        return list(pool.map(write, batches))


def test_writers_racing_at_the_same_seq_one_wins_the_others_are_told_to_reload(case):
    results = _race(case, [[advice] for advice in ADVICE], expected_seq=2)

    winners = [r for r in results if isinstance(r, event_store.AppendResult)]
    losers = [r for r in results if isinstance(r, CaseChanged)]
    assert len(winners) == 1
    assert len(losers) == len(ADVICE) - 1
    history = load(case)
    assert history.seq == 3
    assert history.records[2].event == winners[0].recorded[0].event


def test_writer_blocked_behind_an_uncommitted_append_gets_case_changed_not_an_overwrite(case):
    """The second writer read seq 2 before the first committed: the UNIQUE(case, seq)
    constraint (PostgreSQL) or the up-front write lock (SQLite) stops it."""
    first_inserted = threading.Event()
    outcome: dict[str, object] = {}

    def second_writer():
        first_inserted.wait()
        started = time.monotonic()
        try:
            append(case, "C1", [ADVICE[1]], expected_seq=2, by="bob")
            outcome["result"] = "written"
        except CaseChanged as exc:
            outcome["result"] = exc
        outcome["waited"] = time.monotonic() - started

    thread = threading.Thread(target=second_writer)
    thread.start()
    with unit_of_work(case, write=True) as session:
        event_store.append(session, "C1", [ADVICE[0]], 2, "alice")
        first_inserted.set()
        time.sleep(1.0)  # the second writer is now blocked on our transaction
    thread.join(timeout=30)

    assert isinstance(outcome["result"], CaseChanged)
    assert outcome["waited"] >= 0.2  # it really was blocked until our commit
    history = load(case)
    assert history.seq == 3
    assert (history.records[2].recorded_by, history.records[2].event.advisor) == (
        "alice", "educational_psychologist")


def test_double_submission_of_one_event_id_at_the_same_moment_records_it_once(case):
    event = {**ADVICE[0], "id": "click-1"}
    before = table_counts(case)[0]

    results = _race(case, [[event], [event], [event]], expected_seq=None)

    assert all(isinstance(r, event_store.AppendResult) for r in results), results
    assert sum(len(r.recorded) for r in results) == 1
    assert sum(len(r.repeats) for r in results) == 2
    assert table_counts(case)[0] == before + 1
    assert load(case).seq == 3
