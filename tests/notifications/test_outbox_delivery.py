"""Recording and delivering escalations through the outbox, against a real SMTP server
on 127.0.0.1 and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from notify_fixtures import outbox_rows as rows
from sqlalchemy import func, select

from db.notify_schema import EscalationRow, OutboxRow
from db.outbox import record_emails
from db.schema import AuditEntry
from db.session import make_engine, unit_of_work
from engine.escalation import decide_escalations
from notifications.deliver import deliver_pending
from notifications.transport import SmtpTransport
from services import sweep

pytestmark = pytest.mark.smtp
D = dt.date.fromisoformat
T0 = dt.datetime(2026, 6, 22, 4, 0, tzinfo=dt.UTC)


def count(engine, entity):
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(entity))


def deliver(engine, settings, *, at=T0):
    transport = SmtpTransport.from_settings(settings)
    return deliver_pending(engine, transport, settings, clock=lambda: at)


@pytest.fixture
def breached(db_url):
    """Three cases whose final plan was due Fri 19 Jun 2026, not yet issued."""
    seed_authority(db_url)
    for n in (1, 2, 3):
        put_case(db_url, f"EHC-{n}", [limit("final_plan_due", "2026-06-19")])
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_breach_is_recorded_once_and_emailed_to_caseworker_and_manager(breached, smtp_sink):
    settings = settings_for(smtp_sink)
    first = sweep.sweep_authority(breached, LA, D("2026-06-22"), settings, now=T0)
    assert (first.decided, first.escalations_recorded, first.emails_recorded) == (3, 3, 6)
    report = deliver(breached, settings)
    assert (report.sent, report.failed, report.unavailable) == (6, 0, None)
    to = sorted(m["To"] for m in smtp_sink.received)
    assert to == ["cw1@council.example"] * 3 + ["manager@council.example"] * 3
    missed = "MISSED final plan (due Fri 19 Jun 2026, 3 days late)"
    assert all(missed in s for s in smtp_sink.subjects())

    again = sweep.sweep_authority(breached, LA, D("2026-06-22"), settings, now=T0)
    assert (again.decided, again.escalations_recorded, again.emails_recorded) == (0, 0, 0)
    assert deliver(breached, settings).sent == 0
    assert len(smtp_sink.received) == 6
    assert {r.status for r in rows(breached)} == {"sent"}


def test_the_same_decisions_recorded_twice_at_once_are_recorded_once(breached):
    """Two sweeps of one night that both decided before either recorded (the race the
    UNIQUE keys exist for): their inserts collide and each escalation is written once."""
    settings = settings_for(None)
    plans = []
    for _ in range(2):
        with unit_of_work(breached) as session:
            found = sweep.gather(session, LA, D("2026-06-22"), settings,
                                 case_ids=(0, 2**31 - 1))
            decided = decide_escalations(found.deadlines, D("2026-06-22"), found.calendar)
        plans.append(sweep.plan(found.la_id, decided, found.contacts, D("2026-06-22"), settings,
                                T0))
    barrier = threading.Barrier(2)
    results: list[tuple[int, int]] = []

    def record(plan):
        engine = make_engine(breached.url.render_as_string(hide_password=False))
        barrier.wait()
        with unit_of_work(engine, write=True) as session:
            results.append(record_emails(session, *plan, now=T0))
        engine.dispose()

    threads = [threading.Thread(target=record, args=(p,)) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [(0, 0), (3, 6)]
    assert (count(breached, EscalationRow), count(breached, OutboxRow)) == (3, 6)


def test_a_recipient_with_no_address_is_failed_visibly_and_the_others_are_sent(
    db_url, smtp_sink
):
    seed_authority(db_url, manager_email=None)
    put_case(db_url, "EHC-9", [limit("final_plan_due", "2026-06-19")], caseworker="cw2")
    engine = make_engine(db_url)
    settings = settings_for(smtp_sink)
    sweep.sweep_authority(engine, LA, D("2026-07-10"), settings, now=T0)
    deliver(engine, settings)
    by_role = {r.recipient_role: r for r in rows(engine)}
    assert by_role["caseworker"].status == "failed"
    assert by_role["caseworker"].last_error == "no email address recorded for the caseworker"
    assert by_role["team_manager"].status == "failed"
    assert by_role["head_of_service"].status == "sent"
    assert [m["To"] for m in smtp_sink.received] == ["head@council.example"]
    engine.dispose()


def test_smtp_down_for_a_night_loses_nothing_and_the_next_night_sends_it(
    breached, smtp_sink
):
    down = settings_for(None)
    sweep.sweep_authority(breached, LA, D("2026-06-22"), down, now=T0)
    report = deliver(breached, down)
    assert report.sent == 0
    assert "cannot reach the SMTP server" in report.unavailable
    pending = rows(breached)
    assert {r.status for r in pending} == {"pending"}
    # The run stopped at the first failure: one attempt charged, the rest untouched.
    assert [r.attempts for r in pending] == [1, 0, 0, 0, 0, 0]
    assert pending[0].next_attempt_at > T0

    up = settings_for(smtp_sink)
    assert deliver(breached, up, at=T0 + dt.timedelta(minutes=1)).sent == 5  # row 1 backs off
    report = deliver(breached, up, at=T0 + dt.timedelta(days=1))
    assert report.sent == 1
    assert len(set(smtp_sink.message_ids())) == len(smtp_sink.received) == 6


def test_a_message_failing_every_night_is_given_up_after_the_attempt_limit(breached):
    down = settings_for(None, max_attempts=2)
    sweep.sweep_authority(breached, LA, D("2026-06-22"), down, now=T0)
    deliver(breached, down)
    report = deliver(breached, down, at=T0 + dt.timedelta(days=1))
    assert report.failed == 1
    first = rows(breached)[0]
    assert first.status == "failed"
    assert first.last_error.startswith("gave up after 2 attempts: cannot reach the SMTP server")


def test_a_refused_recipient_is_failed_and_the_others_still_go(breached, smtp_sink):
    smtp_sink.refuse.add("manager@council.example")
    settings = settings_for(smtp_sink)
    sweep.sweep_authority(breached, LA, D("2026-06-22"), settings, now=T0)
    report = deliver(breached, settings)
    assert (report.sent, report.failed) == (3, 3)
    failed = [r for r in rows(breached) if r.status == "failed"]
    assert {r.recipient_role for r in failed} == {"team_manager"}
    assert "550" in failed[0].last_error


KILLABLE_DELIVERY = """
import sys
from db.session import make_engine
from notifications.deliver import deliver_pending
from services.settings import load_settings
from notifications.transport import SmtpTransport
settings = load_settings().notify()
deliver_pending(make_engine(sys.argv[1]), SmtpTransport.from_settings(settings), settings)
"""


def test_killed_mid_delivery_only_the_message_in_flight_is_sent_again_and_flagged(
    breached, smtp_sink
):
    settings = settings_for(smtp_sink)
    sweep.sweep_authority(breached, LA, D("2026-06-22"), settings, now=T0)
    smtp_sink.hold_after = 2  # the server stalls on the third message's DATA
    env = {**os.environ, "EHC_SMTP_HOST": "127.0.0.1", "EHC_SMTP_PORT": str(smtp_sink.port),
           "EHC_MAIL_FROM": settings.mail_from}
    url = breached.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, "-c", KILLABLE_DELIVERY, url], env=env)
    try:
        assert smtp_sink.held.wait(60), "delivery never reached the third message"
    finally:
        child.kill()
        child.wait(30)
    smtp_sink.hold_after = None
    smtp_sink.release.set()
    in_flight = smtp_sink.received[2]["Message-ID"]
    # The batch was claimed at once; only the third was handed over (``claimed_at``).
    assert [r.status for r in rows(breached)] == ["sent", "sent"] + ["sending"] * 4
    assert [r.claimed_at is not None for r in rows(breached)[2:]] == [True, False, False, False]

    # The child claimed by the real clock; the next run comes after the sending lease.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.sending_lease_seconds + 1)
    report = deliver(breached, settings, at=later)
    assert (report.sent, report.resent_in_doubt) == (4, 1)
    ids = smtp_sink.message_ids()
    assert len(ids) == 7
    assert {i for i in ids if ids.count(i) > 1} == {in_flight}
    resent = [m for m in smtp_sink.received if m["Message-ID"] == in_flight][-1]
    assert resent["X-EHC-Resent"].startswith("possible duplicate")
    flagged = [r for r in rows(breached) if r.in_doubt]
    assert [r.message_id for r in flagged] == [in_flight]
    assert flagged[0].status == "sent"
    assert "may get it twice" in flagged[0].last_error
    with unit_of_work(breached) as session:
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "email_interrupted")
        ).all()
    assert [a.detail["message_id"] for a in audited] == [in_flight]
