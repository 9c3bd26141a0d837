"""Delivery at the speed of the relay: many messages per connection, several connections
at once, a dropped connection reopened -- and still each email once. Against a real SMTP
server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from notify_fixtures import outbox_rows as rows

from db.session import make_engine
from notifications.deliver import deliver_pending
from notifications.transport import SmtpTransport
from services import sweep

pytestmark = pytest.mark.smtp
T0 = dt.datetime(2026, 6, 22, 4, 0, tzinfo=dt.UTC)
CASES = 12  # 24 emails: caseworker and team manager of each


@pytest.fixture
def breached(db_url):
    seed_authority(db_url)
    for n in range(CASES):
        put_case(db_url, f"EHC-{n}", [limit("final_plan_due", "2026-06-19")])
    engine = make_engine(db_url)
    sweep.sweep_authority(engine, LA, dt.date(2026, 6, 22), settings_for(None), now=T0)
    yield engine
    engine.dispose()


def deliver(engine, settings, *, at=T0, batch=5):
    transport = SmtpTransport.from_settings(settings)
    return deliver_pending(engine, transport, settings, clock=lambda: at, batch=batch)


def test_a_pool_of_connections_sends_every_email_once_and_marks_each_sent(breached, smtp_sink):
    report = deliver(breached, settings_for(smtp_sink, smtp_connections=3))
    assert (report.sent, report.undelivered, report.unavailable) == (2 * CASES, 0, None)
    ids = smtp_sink.message_ids()
    assert len(ids) == len(set(ids)) == 2 * CASES
    assert len(smtp_sink.sessions) == 3  # three connections, each carrying several
    assert {r.status for r in rows(breached)} == {"sent"}
    assert {r.message_id for r in rows(breached)} == set(ids)
    assert deliver(breached, settings_for(smtp_sink, smtp_connections=3)).sent == 0


def test_one_connection_carries_them_all(breached, smtp_sink):
    assert deliver(breached, settings_for(smtp_sink)).sent == 2 * CASES
    assert len(smtp_sink.sessions) == 1


def test_a_dropped_connection_is_reopened_and_only_its_message_waits(breached, smtp_sink):
    smtp_sink.drop_at = 4  # the relay hangs up on the fourth message
    report = deliver(breached, settings_for(smtp_sink))
    assert (report.sent, report.retry_later, report.waiting, report.unavailable) == (
        2 * CASES - 1, 1, 1, None)
    assert len(smtp_sink.sessions) == 2  # before and after the drop
    waiting = [r for r in rows(breached) if r.status == "pending"]
    assert len(waiting) == 1
    assert "lost the SMTP server" in (waiting[0].last_error or "")

    later = deliver(breached, settings_for(smtp_sink), at=T0 + dt.timedelta(minutes=6))
    assert later.sent == 1
    assert sorted(smtp_sink.message_ids()) == sorted(r.message_id for r in rows(breached))


def test_a_relay_that_cannot_be_reached_stops_every_connection_and_keeps_the_rest_due(
    breached
):
    report = deliver(breached, settings_for(None, smtp_connections=3))
    assert report.sent == 0
    assert report.unavailable is not None
    assert report.retry_later <= 3  # at most one message per connection was tried
    assert report.due + report.waiting == 2 * CASES
    assert report.in_flight == 0
    assert {r.status for r in rows(breached)} == {"pending"}
