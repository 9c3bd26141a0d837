"""``ehc doctor``: the database (reachable, at head), the SMTP relay, the last sweep and
digest, and the outbox backlog, one line each; exit 1 when anything is wrong. Real
databases (SQLite and PostgreSQL) and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for

from cli.main import main
from db.session import dispose_engines, make_engine
from notifications.deliver import deliver_pending
from notifications.transport import SmtpTransport
from services import sweep
from services.digest import digest_authority

pytestmark = pytest.mark.smtp


def doctor(capsys, monkeypatch, port: int) -> tuple[int, str]:
    monkeypatch.setenv("EHC_SMTP_PORT", str(port))
    dispose_engines()
    code = main(["doctor"])
    return code, capsys.readouterr().out


def test_doctor_says_what_is_wrong_then_ready_once_a_night_has_run(
    db_env, smtp_sink, capsys, monkeypatch
):
    seed_authority(db_env)
    put_case(db_env, "EHC-1", [limit("final_plan_due", "2026-06-19")])
    engine = make_engine(db_env)
    settings = settings_for(smtp_sink)
    sweep.sweep_authority(engine, LA, dt.date(2026, 6, 22), settings)

    code, out = doctor(capsys, monkeypatch, settings_for(None).smtp_port)  # nothing listens
    assert code == 1
    assert "ok    database: reachable, at the newest revision" in out
    assert "FAIL  smtp relay: cannot reach the SMTP server" in out
    assert "ok    last sweep: recorded at" in out
    assert "FAIL  last digest: none recorded yet" in out
    assert "FAIL  outbox: 2 due, 0 in backoff, 0 in flight, 0 failed" in out

    deliver_pending(engine, SmtpTransport.from_settings(settings), settings)
    digest_authority(engine, LA, dt.date(2026, 6, 22), settings)
    deliver_pending(engine, SmtpTransport.from_settings(settings), settings)
    engine.dispose()
    code, out = doctor(capsys, monkeypatch, smtp_sink.port)
    assert code == 0, out
    assert "ok    smtp relay: 127.0.0.1:" in out
    assert "ok    outbox: 0 due, 0 in backoff, 0 in flight, 0 failed" in out
    assert out.rstrip().endswith("ready")
