"""The caseworker's newer commands, thinly (the services are tested on their own): each
prints what a caseworker needs and exits with the documented code. Both backends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_run import ehc

STAFFS = "E10000028"




@pytest.fixture
def two_cases(staffed_env, capsys):
    for ref, worker in (("EHC-1", "alice"), ("EHC-2", "bob")):
        assert ehc(capsys, "case", "open", ref, "--process", "assessment", "--caseworker",
                   worker, "--la", STAFFS)[0] == 0
        assert ehc(capsys, "event", "add", ref, "request_received", "--date", "2025-01-06")[0] == 0
    return staffed_env


def test_case_list_and_search_page_the_caseload(two_cases, capsys):
    code, out, _ = ehc(capsys, "case", "list", "--la", STAFFS, "--as-of", "2025-01-10",
                       "--limit", "1")
    assert code == 0
    assert out.splitlines()[0] == "2 cases (showing 1-1)"
    assert "EHC-1" in out
    assert "more: --offset 1" in out
    code, out, _ = ehc(capsys, "case", "search", "HC-2", "--as-of", "2025-01-10")
    assert (code, out.splitlines()[0]) == (0, "1 case (showing 1-1)")
    assert "decision_to_assess_due" in out


def test_reassign_close_and_show_json(two_cases, capsys):
    assert ehc(capsys, "case", "reassign", "EHC-1", "carol")[1] == "case EHC-1 is now carol's\n"
    code, out, _ = ehc(capsys, "case", "close", "EHC-1", "--reason", "moved_away", "--date",
                       "2025-01-20")
    assert code == 0
    assert "clocks have stopped" in out
    code, out, _ = ehc(capsys, "case", "show", "EHC-1", "--json", "--as-of", "2025-03-01")
    shown = json.loads(out)
    assert (shown["stage"], shown["caseworker"], shown["deadlines"]) == ("closed", "carol", [])
    code, _, err = ehc(capsys, "event", "add", "EHC-1", "decision_to_assess_notified",
                       "--date", "2025-02-01", "--field", "outcome=assess")
    assert code == 1
    assert "closed on 2025-01-20" in err


def test_staff_leave_moves_the_caseload_and_outbox_lists_nothing_yet(two_cases, capsys):
    code, out, _ = ehc(capsys, "staff", "leave", "bob", "--to", "alice")
    assert code == 0
    assert out.splitlines() == ["bob has left; 1 case moved to alice", "  EHC-2"]
    code, out, _ = ehc(capsys, "outbox", "--case", "EHC-2")
    assert (code, out.splitlines()[0]) == (0, "0 emails")
    code, _, err = ehc(capsys, "outbox", "--status", "lost")
    assert code == 2
    assert "invalid choice" in err


def test_help_lists_every_command_without_loading_them():
    """``ehc --help`` imports no command module, no service and no SQLAlchemy (start-up)."""
    probe = (
        "import sys\nfrom cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('services', 'sqlalchemy', "
        "'cli.cases', 'engine', 'prefect'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    assert all(word in done.stdout for word in ("case", "outbox", "due", "timeliness"))
    assert done.stdout.splitlines()[-1] == "[]"
