"""``ehc sweep``, ``ehc digest`` and ``ehc smtp-sink`` from the command line."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage

import pytest
from notify_fixtures import free_port, limit, put_case, seed_authority
from sqlalchemy import func, select

import cli.sweep
from cli.main import main
from db.notify_schema import EscalationRow, OutboxRow
from db.session import make_engine, unit_of_work
from services.settings import load_settings


def counts(url):
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        found = tuple(session.scalar(select(func.count()).select_from(t))
                      for t in (EscalationRow, OutboxRow))
    engine.dispose()
    return found


@pytest.fixture
def cli_env(flow_env, monkeypatch):
    # The session's test harness already configures Prefect; keep the CLI's defaults out.
    monkeypatch.setattr(cli.sweep, "prefect_environment", lambda _data: None)
    return flow_env


@pytest.mark.prefect
@pytest.mark.smtp
def test_ehc_sweep_dry_run_prints_what_would_be_sent_and_records_nothing(
    cli_env, smtp_sink, capsys
):
    seed_authority(cli_env)
    put_case(cli_env, "EHC-1", [limit("final_plan_due", "2026-06-19")])
    assert main(["sweep", "--as-of", "2026-06-22", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "nightly-sweep as of 2026-06-22 (dry run)" in out
    assert ("would send: to cw1@council.example: EHC-1: MISSED final plan "
            "(due Fri 19 Jun 2026, 3 days late)") in out
    assert "would send: to manager@council.example" in out
    assert counts(cli_env) == (0, 0)
    assert smtp_sink.received == []


@pytest.mark.prefect
@pytest.mark.smtp
def test_ehc_sweep_baseline_records_the_backlog_sends_none_and_later_nights_send_the_new(
    cli_env, smtp_sink, capsys
):
    seed_authority(cli_env)
    put_case(cli_env, "EHC-OLD", [limit("final_plan_due", "2026-05-01")])
    put_case(cli_env, "EHC-1", [limit("final_plan_due", "2026-06-19")])
    assert main(["sweep", "--baseline", "--dry-run", "--as-of", "2026-06-22"]) == 0
    out = capsys.readouterr().out
    assert "nightly-sweep as of 2026-06-22 (baseline, dry run)" in out
    assert "by level: breach 2, breach_10 1" in out
    assert "would send" not in out
    assert counts(cli_env) == (0, 0)

    assert main(["sweep", "--baseline", "--as-of", "2026-06-22"]) == 0
    out = capsys.readouterr().out
    assert "nightly-sweep as of 2026-06-22 (baseline)" in out
    assert "escalations recorded 3, emails recorded 5" in out
    assert "by level: breach 2, breach_10 1" in out
    assert "delivered" not in out
    assert counts(cli_env) == (3, 5)

    put_case(cli_env, "EHC-NEW", [limit("final_plan_due", "2026-06-22")])
    assert main(["sweep", "--as-of", "2026-06-23"]) == 0
    assert "delivered: 2 sent" in capsys.readouterr().out
    assert sorted(m["Subject"].split(":")[0] for m in smtp_sink.received) == ["EHC-NEW"] * 2
    engine = make_engine(cli_env)
    with unit_of_work(engine) as session:
        suppressed = session.scalar(select(func.count()).where(OutboxRow.status == "suppressed"))
    engine.dispose()
    assert suppressed == 5


@pytest.mark.prefect
@pytest.mark.smtp
def test_ehc_digest_sends_one_email_per_caseworker_and_manager_once_a_day(
    cli_env, smtp_sink, capsys
):
    seed_authority(cli_env)
    put_case(cli_env, "EHC-1", [limit("final_plan_due", "2026-06-19")])  # overdue
    put_case(cli_env, "EHC-2", [limit("advice_due", "2026-06-26", rule="R02")])  # due soon
    put_case(cli_env, "EHC-3", [limit("final_plan_due", "2026-09-01")])  # not yet
    put_case(cli_env, "EHC-4", [limit("final_plan_due", "2026-06-24")], caseworker="cw2")
    assert main(["digest", "--as-of", "2026-06-22"]) == 0
    out = capsys.readouterr().out
    assert "planned 3, emails recorded 3" in out
    assert "delivered: 2 sent (0 resent after an interruption), 0 failed" in out
    assert "failed in all: 1, for a person to look at" in out  # cw2 has no address
    by_to = {m["To"]: m for m in smtp_sink.received}
    assert sorted(by_to) == ["cw1@council.example", "manager@council.example"]
    assert by_to["cw1@council.example"]["Subject"] == (
        "Daily digest 2026-06-22: 1 overdue, 1 due soon"
    )
    team = by_to["manager@council.example"].get_body(("plain",)).get_content()
    assert "EHC-4" in team
    assert "Sam Noemail" in team
    assert "EHC-3" not in team

    engine = make_engine(cli_env)
    with unit_of_work(engine) as session:
        no_address = session.scalars(select(OutboxRow).where(OutboxRow.status == "failed")).all()
    engine.dispose()
    assert [r.key for r in no_address] == ["digest/2026-06-22/caseworker/cw2"]
    assert no_address[0].last_error == "no email address recorded for the caseworker"

    assert main(["digest", "--as-of", "2026-06-22"]) == 0
    assert len(smtp_sink.received) == 2
    assert counts(cli_env) == (0, 3)


def test_prefect_environment_defaults_keep_prefect_offline_under_the_data_dir(
    monkeypatch, tmp_path
):
    keys = ("PREFECT_HOME", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
            "PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK", "PREFECT_LOGGING_LEVEL")
    for key in keys:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("EHC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")  # an operator's own choice stays
    cli.sweep.prefect_environment(load_settings().data_dir)
    assert os.environ["PREFECT_HOME"] == str(tmp_path / "prefect")
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "120"
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "DEBUG"


@pytest.mark.smtp
def test_smtp_sink_keeps_what_it_receives_and_lists_it(tmp_path):
    port = free_port()
    folder = tmp_path / "mail"
    ehc = [sys.executable, "-m", "cli.main", "smtp-sink", "--port", str(port), "--dir",
           str(folder)]
    with subprocess.Popen(ehc, stdout=subprocess.PIPE, text=True) as sink:
        try:
            _send_when_listening(sink, port)
        finally:
            sink.terminate()
            sink.wait(20)
    assert sink.returncode == 0
    listing = subprocess.run([*ehc[:4], "--dir", str(folder), "--list"], capture_output=True,
                             text=True, check=True).stdout
    assert "1 message(s)" in listing
    assert "to cw1@council.example: EHC-1: MISSED final plan  <abc@x>" in listing


def _send_when_listening(sink, port):
    assert "SMTP sink on 127.0.0.1" in sink.stdout.readline()
    message = EmailMessage()
    message["From"], message["To"] = "ehc@council.example", "cw1@council.example"
    message["Subject"], message["Message-ID"] = "EHC-1: MISSED final plan", "<abc@x>"
    message.set_content("hello")
    deadline = time.monotonic() + 20
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                smtp.send_message(message)
            break
        except ConnectionRefusedError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
