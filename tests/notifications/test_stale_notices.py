"""An escalation held back by a mail server that was down is re-checked against the
deadline projection just before it is sent: real SMTP server, real events appended to
real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from notify_fixtures import LA, put_case, seed_authority, settings_for
from sqlalchemy import select

from db.directory import open_case
from db.event_store import append
from db.notify_schema import OutboxRow
from db.schema import AuditEntry, Case
from db.session import make_engine, unit_of_work
from notifications.deliver import deliver_pending
from notifications.transport import SmtpTransport
from services import sweep

pytestmark = pytest.mark.smtp
D = dt.date.fromisoformat
# Requests received Mon 5 Jan 2026: the decision whether to assess is due Mon 16 Feb (R01).
REQUEST = {"type": "request_received", "date": "2026-01-05", "requester": "parent",
           "channel": "email"}


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T04:00").replace(tzinfo=dt.UTC)


@pytest.fixture
def engine(db_url):
    seed_authority(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def record(engine, reference, *events):
    with unit_of_work(engine, write=True) as session:
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            open_case(session, reference, process="assessment", caseworker="cw1", la_code=LA,
                      actor="test")
        append(session, reference, list(events), None, "test")


def night(engine, day, settings):
    """One night: decide and record as of ``day``, then deliver at 04:00 UTC that day."""
    sweep.sweep_authority(engine, LA, D(day), settings, now=at(day))
    transport = SmtpTransport.from_settings(settings)
    return deliver_pending(engine, transport, settings, clock=lambda: at(day))


def outbox(engine):
    """Outbox rows by (case reference, level, role): ``escalation/<ref>/<key>/<instance>/
    <level>/<role>``."""
    with unit_of_work(engine) as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.kind == "escalation")).all()
    return {(r.key.split("/")[1], r.key.split("/")[4], r.recipient_role): r for r in rows}


def withdrawals(engine):
    with unit_of_work(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "email_withdrawn")
        ).all()
        refs = {c.id: c.reference for c in session.scalars(select(Case))}
    return [(refs[e.case_id], e.detail["reason"]) for e in entries]


def test_a_reminder_held_back_a_night_is_withdrawn_once_its_deadline_is_met(engine, smtp_sink):
    record(engine, "EHC-MET", REQUEST)
    record(engine, "EHC-OPEN", REQUEST)
    down, up = settings_for(None), settings_for(smtp_sink)

    first = night(engine, "2026-02-02", down)  # reminder_10 night; the SMTP server is down
    assert first.sent == 0
    assert "cannot reach the SMTP server" in first.unavailable
    assert {r.status for r in outbox(engine).values()} == {"pending"}

    record(engine, "EHC-MET", {"type": "decision_to_assess_notified", "date": "2026-02-03",
                               "outcome": "assess"})
    second = night(engine, "2026-02-03", up)
    assert (second.sent, second.withdrawn, second.failed) == (1, 1, 0)
    assert [m["Subject"] for m in smtp_sink.received] == [
        "EHC-OPEN: decision to assess due Mon 16 Feb 2026 (in 10 working days)"
    ]
    rows = outbox(engine)
    met = rows[("EHC-MET", "reminder_10", "caseworker")]
    assert (met.status, met.last_error) == (
        "withdrawn", "met on 2026-02-03 by decision_to_assess_notified"
    )
    assert met.sent_at is None
    assert rows[("EHC-OPEN", "reminder_10", "caseworker")].status == "sent"
    assert withdrawals(engine) == [
        ("EHC-MET", "met on 2026-02-03 by decision_to_assess_notified")
    ]

    third = night(engine, "2026-02-04", up)  # withdrawn is final: never tried again
    assert (third.sent, third.withdrawn) == (0, 0)
    assert len(smtp_sink.received) == 1


def test_a_breach_still_open_is_delivered_the_next_night_and_a_disapplied_one_is_not(
    engine, smtp_sink
):
    record(engine, "EHC-LATE", REQUEST)
    record(engine, "EHC-EXCEPT", REQUEST)
    night(engine, "2026-02-17", settings_for(None))  # the breach night; SMTP down

    record(engine, "EHC-EXCEPT", {
        "type": "exception_recorded", "date": "2026-02-17",
        "ground": "reg5_4_c_exceptional_personal_circumstances",
        "applies_to": ["decision_to_assess"],
    })
    report = night(engine, "2026-02-18", settings_for(smtp_sink))
    assert (report.sent, report.withdrawn) == (3, 2)
    missed = "MISSED decision to assess (due Mon 16 Feb 2026, 1 day late)"
    # The disapplied limit's own notice replaces the breach notice that is no longer true.
    asap = "decision to assess: as soon as practicable (limit disapplied)"
    # (strip: Python's parser keeps the space of a subject folded whole onto line two)
    assert sorted((m["To"], m["Subject"].strip()) for m in smtp_sink.received) == [
        ("cw1@council.example", f"EHC-EXCEPT: {asap}"),
        ("cw1@council.example", f"EHC-LATE: {missed}"),
        ("manager@council.example", f"EHC-LATE: {missed}"),
    ]
    reason = ("the limit is now disapplied by a recorded exception "
              "(reg5_4_c_exceptional_personal_circumstances)")
    rows = outbox(engine)
    assert {key: r.status for key, r in rows.items()} == {
        ("EHC-LATE", "breach", "caseworker"): "sent",
        ("EHC-LATE", "breach", "team_manager"): "sent",
        ("EHC-EXCEPT", "breach", "caseworker"): "withdrawn",
        ("EHC-EXCEPT", "breach", "team_manager"): "withdrawn",
        ("EHC-EXCEPT", "as_soon_as_practicable", "caseworker"): "sent",
    }
    assert {r.last_error for r in rows.values() if r.status == "withdrawn"} == {reason}
    assert sorted(withdrawals(engine)) == [("EHC-EXCEPT", reason)] * 2


def test_a_notice_whose_deadline_left_the_projection_is_withdrawn_and_digests_are_not(
    engine, smtp_sink
):
    from services.digest import digest_authority

    record(engine, "EHC-GONE", REQUEST)
    down = settings_for(None)
    sweep.sweep_authority(engine, LA, D("2026-02-17"), down, now=at("2026-02-17"))
    digest_authority(engine, LA, D("2026-02-17"), down, now=at("2026-02-17"))
    # The projection loses the deadline (as when a mistaken trigger is corrected away).
    put_case(engine.url.render_as_string(hide_password=False), "EHC-GONE", [])

    report = night(engine, "2026-02-18", settings_for(smtp_sink))
    assert (report.sent, report.withdrawn) == (2, 2)  # the two digests still go
    assert sorted(m["Subject"].split(":")[0] for m in smtp_sink.received) == [
        "Daily digest 2026-02-17", "Daily digest 2026-02-17"
    ]
    assert {(r.status, r.last_error) for r in outbox(engine).values()} == {
        ("withdrawn", "the deadline no longer exists in the case's projection")
    }


def test_notices_withdrawn_in_one_batch_for_different_reasons_each_keep_their_own(
    engine, smtp_sink
):
    record(engine, "EHC-MET", REQUEST)
    record(engine, "EHC-GONE", REQUEST)
    record(engine, "EHC-OPEN", REQUEST)
    night(engine, "2026-02-02", settings_for(None))  # reminder_10 night; SMTP down
    record(engine, "EHC-MET", {"type": "decision_to_assess_notified", "date": "2026-02-03",
                               "outcome": "assess"})
    put_case(engine.url.render_as_string(hide_password=False), "EHC-GONE", [])

    report = night(engine, "2026-02-03", settings_for(smtp_sink))
    assert (report.sent, report.withdrawn) == (1, 2)
    met = "met on 2026-02-03 by decision_to_assess_notified"
    gone = "the deadline no longer exists in the case's projection"
    assert {ref: (r.status, r.last_error) for (ref, _, _), r in outbox(engine).items()} == {
        "EHC-MET": ("withdrawn", met), "EHC-GONE": ("withdrawn", gone),
        "EHC-OPEN": ("sent", None),
    }
    assert sorted(withdrawals(engine)) == [("EHC-GONE", gone), ("EHC-MET", met)]
