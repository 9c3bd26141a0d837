"""Delivery at the speed of the relay: many messages per connection, several connections
at once, a dropped connection reopened -- and still each email once. Against a real SMTP
server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from notify_fixtures import outbox_rows as rows
from sqlalchemy import select

from db import outbox
from db.schema import AuditEntry
from db.session import make_engine, unit_of_work
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
    assert {(r.attempts, r.claimed_at, r.sent_at) for r in rows(breached)} == {(1, T0, T0)}
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


def test_a_recipient_refused_fails_only_its_own_messages_and_the_pool_goes_on(
    breached, smtp_sink
):
    smtp_sink.refuse.add("manager@council.example")  # 550 at RCPT
    report = deliver(breached, settings_for(smtp_sink, smtp_connections=3))
    assert (report.sent, report.failed, report.unavailable) == (CASES, CASES, None)
    by_status: dict[str, set[str]] = {}
    for r in rows(breached):
        by_status.setdefault(r.status, set()).add(r.recipient_role)
    assert by_status == {"sent": {"caseworker"}, "failed": {"team_manager"}}
    assert sorted(smtp_sink.message_ids()) == sorted(
        r.message_id for r in rows(breached) if r.status == "sent")
    with unit_of_work(breached) as session:
        failed = session.scalars(select(AuditEntry).where(AuditEntry.action == "email_failed"))
        audited = sorted(a.detail["message_id"] for a in failed)
    assert audited == sorted(r.message_id for r in rows(breached) if r.status == "failed")


def test_content_refused_for_one_recipient_fails_only_those_and_the_connections_reopen(
    breached, smtp_sink
):
    smtp_sink.refuse_data.add("manager@council.example")  # 554 at DATA: smtplib hangs up
    report = deliver(breached, settings_for(smtp_sink, smtp_connections=3))
    assert (report.sent, report.failed, report.unavailable) == (CASES, CASES, None)
    assert {r.recipient_role for r in rows(breached) if r.status == "failed"} == {"team_manager"}
    assert len(set(smtp_sink.message_ids())) == len(smtp_sink.received) == CASES


def test_a_connection_dropped_mid_batch_is_reopened_and_the_others_go_on(breached, smtp_sink):
    first = rows(breached)  # connection n of 3 takes rows n, n + 3, n + 6, ...
    smtp_sink.drop_message = first[3].message_id  # the first connection's second message
    report = deliver(breached, settings_for(smtp_sink, smtp_connections=3))
    assert (report.sent, report.retry_later, report.unavailable) == (2 * CASES - 1, 1, None)
    assert len(smtp_sink.sessions) == 4  # three, and the first one reopened
    assert [r.message_id for r in rows(breached) if r.status == "pending"] == [
        first[3].message_id]
    assert len(set(smtp_sink.message_ids())) == len(smtp_sink.received) == 2 * CASES - 1


KILLABLE_DELIVERY = """
import sys
from db.session import make_engine
from notifications.deliver import deliver_pending
from notifications.transport import SmtpTransport
from services.settings import load_settings
settings = load_settings().notify()
deliver_pending(make_engine(sys.argv[1]), SmtpTransport.from_settings(settings), settings)
"""


def test_a_pool_killed_mid_batch_sends_again_only_each_connections_message_in_flight(
    breached, smtp_sink
):
    """Three connections, each stalled by the server in a message's DATA, then the process
    killed: those three (and no other) are sent once more, flagged; none is skipped."""
    settings = settings_for(smtp_sink, smtp_connections=3)
    accepted = 6
    smtp_sink.hold_after = accepted  # from the seventh message on, DATA is never answered
    env = {**os.environ, "EHC_SMTP_HOST": "127.0.0.1", "EHC_SMTP_PORT": str(smtp_sink.port),
           "EHC_MAIL_FROM": settings.mail_from, "EHC_SMTP_CONNECTIONS": "3"}
    url = breached.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, "-c", KILLABLE_DELIVERY, url], env=env)
    try:
        deadline = time.monotonic() + 60
        while len(smtp_sink.received) < accepted + 3:  # every connection stalled
            assert time.monotonic() < deadline, "the connections never all reached DATA"
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait(30)
    smtp_sink.hold_after = None
    smtp_sink.release.set()
    in_flight = {m["Message-ID"] for m in smtp_sink.received[accepted:]}
    left = rows(breached)
    assert sum(r.status == "sent" for r in left) == accepted
    handed_over = {r.message_id for r in left if r.status == "sending" and r.claimed_at}
    assert handed_over == in_flight  # the rest of the batch: reserved, not handed over

    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.sending_lease_seconds + 1)
    report = deliver(breached, settings, at=later)
    assert (report.sent, report.resent_in_doubt, report.undelivered) == (
        2 * CASES - accepted, 3, 0)
    ids = smtp_sink.message_ids()
    assert set(ids) == {r.message_id for r in rows(breached)}  # none skipped
    assert {i for i in ids if ids.count(i) > 1} == in_flight  # those, and only those, twice
    assert max(ids.count(i) for i in ids) == 2
    assert {r.message_id for r in rows(breached) if r.in_doubt} == in_flight
    assert {r.status for r in rows(breached)} == {"sent"}
    for message_id in in_flight:
        first, again = [m for m in smtp_sink.received if m["Message-ID"] == message_id]
        assert first["X-EHC-Resent"] is None
        assert again["X-EHC-Resent"].startswith("possible duplicate")


def test_a_message_handed_over_is_in_flight_until_its_lease_has_passed(breached):
    """To the microsecond: the hand-over stores its instant as every other is stored."""
    lease = dt.timedelta(seconds=900)
    [held] = outbox.reserve(breached, la_id=None, now=T0, after_id=0, limit=1)
    with outbox.writer(breached) as books:
        assert books.hand_over([held], token=T0, now=T0) == {held.id}
    assert outbox.recover_interrupted(breached, la_id=None, now=T0 + lease, lease=lease) == (
        0, 0)
    just_after = T0 + lease + dt.timedelta(microseconds=1)
    assert outbox.recover_interrupted(breached, la_id=None, now=just_after, lease=lease) == (
        1, 0)
    [row] = [r for r in rows(breached) if r.id == held.id]
    assert (row.status, row.in_doubt, row.claimed_at, row.attempts) == ("pending", True, T0, 1)
