"""``ehc sweep`` never ends quietly with mail undelivered: exit 5 when emails are left
pending (relay down or refusing), 6 when some failed for their recipient; one line that
matters on stderr, no traceback on the console, the traceback in the log at DEBUG."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from notify_fixtures import limit, put_case, seed_authority

import cli.sweep
from cli.main import main

pytestmark = [pytest.mark.prefect, pytest.mark.smtp]


@pytest.fixture
def night(flow_env, monkeypatch):
    monkeypatch.setattr(cli.sweep, "prefect_environment", lambda _data: None)
    seed_authority(flow_env)
    for n in (1, 2):
        put_case(flow_env, f"EHC-{n}", [limit("final_plan_due", "2026-06-19")])
    return flow_env


def test_a_relay_refusing_everything_exits_5_with_one_line_and_no_traceback(
    night, smtp_sink, tmp_path
):
    """A real ``ehc sweep`` process (on the session's Prefect server): what an operator
    sees on the console."""
    from prefect.settings import PREFECT_API_URL

    smtp_sink.replies["MAIL"] = "451 4.3.0 relay temporarily refusing everything"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "EHC_DATA_DIR": str(tmp_path), "EHC_DATABASE_URL": night}
    done = subprocess.run([sys.executable, "-m", "cli.main", "sweep", "--as-of", "2026-06-22"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 5, done.stderr
    assert "  stopped early: the SMTP server at 127.0.0.1:" in done.stdout
    assert "refuses to relay anything (451 4.3.0 relay temporarily refusing everything" \
        in done.stdout
    assert "  not reached: 3 due now, left pending for the next run" in done.stdout
    assert "  waiting: 1 to retry in backoff, due again from " in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "ehc: error: decisions recorded, but 4 left undelivered (kept pending for the next "
        f"run); delivery stopped: the SMTP server at 127.0.0.1:{smtp_sink.port} refuses to "
        "relay anything (451 4.3.0 relay temporarily refusing everything for sender "
        "ehc@council.example)"
    ]
    assert smtp_sink.received == []


def test_inside_the_flow_the_traceback_goes_to_the_log_at_debug(night, smtp_sink, debug_log):
    smtp_sink.replies["MAIL"] = "451 4.3.0 relay temporarily refusing everything"
    assert main(["sweep", "--as-of", "2026-06-22"]) == 5
    debug = [r for r in debug_log if r.name == "notifications.deliver"]
    assert [(r.levelno, bool(r.exc_info)) for r in debug] == [(logging.DEBUG, True)]
    assert "refuses to relay anything" in debug[0].getMessage()


def test_a_recipient_refused_for_good_exits_6_and_the_others_are_sent(
    night, smtp_sink, capsys
):
    smtp_sink.refuse.add("manager@council.example")
    assert main(["sweep", "--as-of", "2026-06-22"]) == 6
    out, err = capsys.readouterr()
    assert "  delivered: 2 sent (0 resent after an interruption), 2 failed" in out
    assert "  failed in all: 2, for a person to look at (`ehc outbox retry --failed`" in out
    assert err.strip() == "ehc: error: decisions recorded, but 2 emails failed"
    assert sorted(m["To"] for m in smtp_sink.received) == ["cw1@council.example"] * 2
