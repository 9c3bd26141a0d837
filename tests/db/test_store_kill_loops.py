"""Kill and re-run an import, as an operator would, in a bounded loop (``KILLS`` times,
both backends): killed mid-transaction, it leaves nothing half-written, every time; the
re-run then matches the source exactly, the store verifies intact, and a third run adds
nothing. (The sweep's loop is ``tests/notifications/test_sweep_kill_loop.py``.) The
counts are printed (``-s``) for the record.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from store_helpers import table_counts
from test_store_import import KILLED_IMPORT

from db.session import unit_of_work
from db.transfer import export_cases
from db.verify import verify

REPO = Path(__file__).resolve().parents[2]
KILLS = 5
CASES = 60

def _export(engine):
    with unit_of_work(engine) as session:
        document = export_cases(session)
    document.pop("exported_at")
    return document


def _source(tmp_path: Path) -> Path:
    rows = [["case", "la", "process", "caseworker", "type", "date", "outcome"]]
    for n in range(CASES):
        rows.append([f"K{n:03}", "E10000028", "assessment", "alice", "request_received",
                     "2025-01-06", ""])
        rows.append([f"K{n:03}", "", "", "", "decision_to_assess_notified", "2025-02-10",
                     "assess"])
    path = tmp_path / "caseload.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def test_an_import_killed_again_and_again_leaves_nothing_half_written(staffed, db_url,
                                                                       tmp_path):
    path = _source(tmp_path)
    before, exported = table_counts(staffed), _export(staffed)
    env = {**os.environ, "EHC_DATABASE_URL": db_url}
    untouched = 0
    for kill in range(KILLS):
        stop_after = 5 + kill * (CASES - 10) // (KILLS - 1)  # from early on to nearly done
        with subprocess.Popen(
            [sys.executable, "-c", KILLED_IMPORT, str(path), str(stop_after)], cwd=REPO,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        ) as child:
            assert child.stdout is not None
            assert child.stderr is not None
            if child.stdout.readline().strip() != "HALF-WAY":
                child.kill()
                pytest.fail(f"the import did not get half-way: {child.stderr.read()}")
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        untouched += table_counts(staffed) == before and _export(staffed) == exported
    assert untouched == KILLS

    done = subprocess.run([sys.executable, "-m", "cli.main", "import", str(path), "--user",
                           "importer"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    cases = {c["reference"]: c for c in _export(staffed)["cases"]}
    assert sorted(cases) == [f"K{n:03}" for n in range(CASES)]
    assert all([(e["type"], e["date"], e.get("outcome")) for e in c["events"]] == [
        ("request_received", "2025-01-06", None),
        ("decision_to_assess_notified", "2025-02-10", "assess")] for c in cases.values())
    with unit_of_work(staffed) as session:
        assert verify(session).findings == ()
    again = subprocess.run([sys.executable, "-m", "cli.main", "import", str(path)], cwd=REPO,
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "imported 0 events" in again.stdout
    print(f"\nimport: {KILLS} kills, {untouched} left the store untouched; the re-run "
          f"matched the source ({CASES} cases, {2 * CASES} events)")
