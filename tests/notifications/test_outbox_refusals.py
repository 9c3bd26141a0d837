"""An outbox that never gives up quietly: a message refused for its recipient fails alone,
a relay refusing everything stops the run with the rest pending, and what is left (due,
in backoff, in flight, failed) is counted and turned into a non-zero exit. Against a real
SMTP server on 127.0.0.1 that answers as told, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from notify_fixtures import outbox_rows as rows
from sqlalchemy import select

from cli.delivery import EXIT_FAILED, EXIT_UNDELIVERED, delivery_outcome
from cli.main import main
from db import outbox
from db.schema import AuditEntry
from db.session import make_engine, unit_of_work
from notifications.deliver import deliver_pending
from notifications.transport import SmtpTransport
from services import sweep

pytestmark = pytest.mark.smtp
D = dt.date.fromisoformat
T0 = dt.datetime(2026, 6, 22, 4, 0, tzinfo=dt.UTC)


def deliver(engine, settings, *, at=T0):
    transport = SmtpTransport.from_settings(settings)
    report = deliver_pending(engine, transport, settings, clock=lambda: at)
    code, lines = delivery_outcome(report.__dict__)
    return report, code, "\n".join(lines)


@pytest.fixture
def breached(db_url):
    """Three cases whose final plan was due Fri 19 Jun 2026: six emails recorded (each
    case's caseworker and team manager)."""
    seed_authority(db_url)
    for n in (1, 2, 3):
        put_case(db_url, f"EHC-{n}", [limit("final_plan_due", "2026-06-19")])
    engine = make_engine(db_url)
    sweep.sweep_authority(engine, LA, D("2026-06-22"), settings_for(None), now=T0)
    yield engine
    engine.dispose()


def test_a_message_refused_for_its_recipient_fails_alone_and_the_run_exits_6(
    breached, smtp_sink
):
    smtp_sink.refuse.add("manager@council.example")
    report, code, text = deliver(breached, settings_for(smtp_sink))
    assert (report.sent, report.failed, report.unavailable) == (3, 3, None)
    assert code == EXIT_FAILED
    assert report.problem() == "3 emails failed"
    assert "failed in all: 3, for a person to look at" in text
    failed = [r for r in rows(breached) if r.status == "failed"]
    assert {r.recipient_role for r in failed} == {"team_manager"}
    assert "recipient refused: manager@council.example: 550 no such mailbox here" in \
        failed[0].last_error


def test_a_message_whose_content_is_refused_fails_alone(breached, smtp_sink):
    smtp_sink.refuse_data.add("cw1@council.example")
    report, code, _ = deliver(breached, settings_for(smtp_sink))
    assert (report.sent, report.failed, code) == (3, 3, EXIT_FAILED)
    assert all("554 5.6.0 message content rejected" in r.last_error
               for r in rows(breached) if r.status == "failed")


@pytest.mark.parametrize(("stage", "reply"), [
    ("MAIL", "451 4.3.0 relay temporarily refusing everything"),
    ("MAIL", "550 5.7.1 relaying denied"),
    ("RCPT", "421 4.3.2 service shutting down"),
])
def test_a_relay_refusing_everything_stops_the_run_and_keeps_the_rest_pending(
    breached, smtp_sink, stage, reply
):
    smtp_sink.replies[stage] = reply
    report, code, text = deliver(breached, settings_for(smtp_sink))
    assert (report.sent, report.failed) == (0, 0)
    assert reply.split()[0] in report.unavailable
    assert code == EXIT_UNDELIVERED
    left = rows(breached)
    assert {r.status for r in left} == {"pending"}  # nothing failed for good
    assert [r.attempts for r in left] == [1, 0, 0, 0, 0, 0]  # stopped at the first
    assert f"stopped early: the SMTP server at 127.0.0.1:{smtp_sink.port}" in text
    assert "not reached: 5 due now, left pending for the next run" in text
    assert "waiting: 1 to retry in backoff, due again from 2026-06-22 04:05 UTC" in text
    assert report.problem().startswith("6 left undelivered (kept pending for the next run)")


def test_a_relay_deferring_each_recipient_defers_them_all_and_says_until_when(
    breached, smtp_sink
):
    smtp_sink.replies["RCPT"] = "451 4.7.1 greylisted, try again later"
    report, code, text = deliver(breached, settings_for(smtp_sink))
    assert (report.sent, report.retry_later, report.waiting, code) == (0, 6, 6, EXIT_UNDELIVERED)
    assert "waiting: 6 to retry in backoff, due again from 2026-06-22 04:05 UTC to " \
        "2026-06-22 04:05 UTC" in text


def test_after_an_outage_the_re_run_reports_backoff_and_in_flight_instead_of_nothing(
    breached, smtp_sink
):
    """A run stopped by the relay leaves one row in backoff; another run died holding a
    row (``sending``). The immediate re-run, with the relay back, sends what is due and
    says what waits and until when -- and exits non-zero until it has all gone."""
    smtp_sink.replies["MAIL"] = "451 4.3.0 try later"
    deliver(breached, settings_for(smtp_sink))
    [held] = outbox.reserve(breached, la_id=None, now=T0, after_id=rows(breached)[0].id,
                            limit=1)
    with outbox.writer(breached) as books:  # a run that then died
        assert books.hand_over([held], token=T0, now=T0) == {held.id}
    del smtp_sink.replies["MAIL"]

    report, code, text = deliver(breached, settings_for(smtp_sink),
                                 at=T0 + dt.timedelta(minutes=1))
    assert (report.sent, report.waiting, report.in_flight) == (4, 1, 1)
    assert code == EXIT_UNDELIVERED
    assert "waiting: 1 to retry in backoff, due again from 2026-06-22 04:05 UTC" in text
    assert "in flight: 1 being sent by another run, or left by one that died; lease " \
        "expires 2026-06-22 04:15 UTC" in text

    report, code, _ = deliver(breached, settings_for(smtp_sink),
                              at=T0 + dt.timedelta(minutes=16))
    assert (report.sent, report.resent_in_doubt, report.undelivered, code) == (2, 1, 0, 0)


def test_smtp_down_logs_its_traceback_at_debug_only(breached, debug_log):
    report, code, _ = deliver(breached, settings_for(None))
    assert "cannot reach the SMTP server" in report.unavailable
    stopped = [r for r in debug_log if r.name == "notifications.deliver"]
    assert [(r.levelno, r.exc_info is not None) for r in stopped] == [(logging.DEBUG, True)]


def now():
    """``ehc outbox retry`` requeues as of the real clock: deliver by it too."""
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def cli_db(breached, db_env):
    return breached


def test_outbox_retry_requeues_backoff_and_with_failed_the_failed_ones_of_a_case(
    cli_db, smtp_sink, capsys
):
    smtp_sink.refuse.add("manager@council.example")
    deliver(cli_db, settings_for(smtp_sink), at=now())  # 3 manager emails failed
    smtp_sink.refuse.clear()

    assert main(["outbox", "retry", "--case", "EHC-2", "--user", "ops"]) == 0
    assert "requeued of case EHC-2: 0 waiting in backoff made due now;" in \
        capsys.readouterr().out
    assert main(["outbox", "retry", "--failed", "--case", "EHC-2", "--user", "ops"]) == 0
    assert "1 failed made pending again" in capsys.readouterr().out
    report, code, _ = deliver(cli_db, settings_for(smtp_sink), at=now())
    assert (report.sent, report.failed_in_all, code) == (1, 2, 0)
    resent = [r for r in rows(cli_db) if r.status == "sent" and r.recipient_role ==
              "team_manager"]
    assert len(resent) == 1
    assert resent[0].last_error.startswith("requeued by ops (was: refused by the server:")

    assert main(["outbox", "retry", "--failed", "--user", "ops"]) == 0
    assert "2 failed made pending again" in capsys.readouterr().out
    assert deliver(cli_db, settings_for(smtp_sink), at=now())[0].sent == 2
    with unit_of_work(cli_db) as session:
        audits = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "email_requeued").order_by(AuditEntry.id)).all()
    assert [(a.actor, a.detail["from_failed"]) for a in audits] == [
        ("ops", 0), ("ops", 1), ("ops", 2)]


def test_outbox_retry_makes_backoff_due_now_and_an_unknown_case_is_refused(
    cli_db, smtp_sink, capsys
):
    smtp_sink.replies["MAIL"] = "451 4.3.0 try later"
    deliver(cli_db, settings_for(smtp_sink), at=now())
    del smtp_sink.replies["MAIL"]
    assert main(["outbox", "retry", "--user", "ops"]) == 0
    assert "1 waiting in backoff made due now" in capsys.readouterr().out
    assert deliver(cli_db, settings_for(smtp_sink), at=now())[0].sent == 6
    assert main(["outbox", "retry", "--case", "NOPE"]) == 1
    assert capsys.readouterr().err.strip() == "ehc: error: unknown case 'NOPE'"
