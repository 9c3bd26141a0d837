"""Onboarding an imported caseload: a baseline sweep records what is already due as
escalated and sends none of it; later nights send only what is new; the digest still
shows the whole backlog. Real SMTP server, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from sqlalchemy import func, select

from db.notify_schema import EscalationRow, OutboxRow
from db.schema import AuditEntry
from db.session import make_engine, unit_of_work
from notifications.deliver import deliver_pending
from notifications.transport import SmtpTransport
from services import sweep
from services.digest import digest_authority

pytestmark = pytest.mark.smtp
D = dt.date.fromisoformat
BASELINE_DAY = "2026-06-22"  # a Monday


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T04:00").replace(tzinfo=dt.UTC)


@pytest.fixture
def imported(db_url):
    """An imported caseload as of Mon 22 Jun 2026: a breach 7 weeks old (its head of
    service rung due too), a fresh breach, one with no caseworker address, and a plan due
    Fri 3 Jul (its 10-day reminder already due, the 5-day one from Fri 26 Jun)."""
    seed_authority(db_url)
    put_case(db_url, "EHC-OLD", [limit("final_plan_due", "2026-05-01")])
    put_case(db_url, "EHC-RECENT", [limit("final_plan_due", "2026-06-19")])
    put_case(db_url, "EHC-NOADDR", [limit("final_plan_due", "2026-06-19")], caseworker="cw2")
    put_case(db_url, "EHC-SOON", [limit("final_plan_due", "2026-07-03")])
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def deliver(engine, settings, day):
    return deliver_pending(engine, SmtpTransport.from_settings(settings), settings,
                           clock=lambda: at(day))


def night(engine, day, settings):
    sweep.sweep_authority(engine, LA, D(day), settings, now=at(day))
    return deliver(engine, settings, day)


def table_counts(engine):
    with unit_of_work(engine) as session:
        return tuple(session.scalar(select(func.count()).select_from(t))
                     for t in (EscalationRow, OutboxRow))


def audits(engine, action):
    with unit_of_work(engine) as session:
        return [a.detail for a in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action))]


def test_a_baseline_night_records_every_escalation_due_and_sends_none(imported, smtp_sink):
    settings = settings_for(smtp_sink)
    result = sweep.sweep_authority(imported, LA, D(BASELINE_DAY), settings, baseline=True,
                                   now=at(BASELINE_DAY))
    assert result.by_level == {"reminder_10": 1, "breach": 3, "breach_10": 1}
    assert (result.decided, result.escalations_recorded, result.emails_recorded) == (5, 5, 8)

    with unit_of_work(imported) as session:
        rows = session.scalars(select(OutboxRow)).all()
    assert len(rows) == 8
    assert {r.status for r in rows} == {"suppressed"}  # no-address rows too: never sent
    assert rows[0].last_error.startswith("suppressed by the baseline sweep of 2026-06-22")
    assert deliver(imported, settings, BASELINE_DAY).sent == 0
    assert smtp_sink.received == []
    assert audits(imported, "sweep_baseline") == [{
        "as_of": "2026-06-22", "escalations": 5, "emails": 8,
        "by_level": {"reminder_10": 1, "breach": 3, "breach_10": 1},
    }]
    assert audits(imported, "sweep_recorded") == []


def test_nights_after_a_baseline_send_only_what_is_new(imported, db_url, smtp_sink):
    settings = settings_for(smtp_sink)
    sweep.sweep_authority(imported, LA, D(BASELINE_DAY), settings, baseline=True,
                          now=at(BASELINE_DAY))
    put_case(db_url, "EHC-NEW", [limit("final_plan_due", "2026-06-22")])

    report = night(imported, "2026-06-23", settings)
    assert report.sent == 2
    assert sorted((m["To"], m["Subject"]) for m in smtp_sink.received) == [
        ("cw1@council.example", "EHC-NEW: MISSED final plan (due Mon 22 Jun 2026, 1 day late)"),
        ("manager@council.example",
         "EHC-NEW: MISSED final plan (due Mon 22 Jun 2026, 1 day late)"),
    ]
    # Rungs that fire after the baseline still go: EHC-SOON's 5-day reminder on Fri 26 Jun.
    assert night(imported, "2026-06-25", settings).sent == 0
    assert night(imported, "2026-06-26", settings).sent == 1
    assert smtp_sink.received[-1]["Subject"] == (
        "EHC-SOON: final plan due Fri 03 Jul 2026 (in 5 working days)"
    )


def test_a_baseline_dry_run_counts_by_level_and_records_nothing(imported, smtp_sink):
    result = sweep.sweep_authority(imported, LA, D(BASELINE_DAY), settings_for(smtp_sink),
                                   baseline=True, dry_run=True, now=at(BASELINE_DAY))
    assert result.by_level == {"reminder_10": 1, "breach": 3, "breach_10": 1}
    assert (result.escalations_recorded, result.emails_recorded) == (0, 0)
    assert table_counts(imported) == (0, 0)
    assert audits(imported, "sweep_baseline") == []


def test_suppressed_escalations_hide_nothing_from_the_digest(imported, smtp_sink):
    settings = settings_for(smtp_sink)
    before = digest_authority(imported, LA, D(BASELINE_DAY), settings, dry_run=True)
    sweep.sweep_authority(imported, LA, D(BASELINE_DAY), settings, baseline=True,
                          now=at(BASELINE_DAY))
    after = digest_authority(imported, LA, D(BASELINE_DAY), settings, now=at(BASELINE_DAY))
    assert [e.payload for e in after.planned] == [e.payload for e in before.planned]

    assert deliver(imported, settings, BASELINE_DAY).sent == 2  # cw2 has no address
    bodies = {m["To"]: (m["Subject"], m.get_body(("plain",)).get_content())
              for m in smtp_sink.received}
    subject, text = bodies["cw1@council.example"]
    assert subject == "Daily digest 2026-06-22: 2 overdue, 1 due soon"
    assert all(ref in text for ref in ("EHC-OLD", "EHC-RECENT", "EHC-SOON"))
    subject, text = bodies["manager@council.example"]
    assert subject == "Daily digest 2026-06-22: 3 overdue, 1 due soon"
    assert all(ref in text for ref in ("EHC-OLD", "EHC-RECENT", "EHC-NOADDR", "EHC-SOON"))
