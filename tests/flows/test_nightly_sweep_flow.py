"""The nightly-sweep flow over a run of simulated nights: real Prefect (test harness),
real SQLite, a real SMTP server, and the clock set to 05:00 in London each night."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from notify_fixtures import LA, seed_authority

from db.directory import open_case
from db.event_store import append
from db.session import make_engine, unit_of_work
from flows.nightly_sweep import nightly_sweep
from flows.tasks import DeliveryIncomplete

pytestmark = [pytest.mark.prefect, pytest.mark.smtp]
LONDON = ZoneInfo("Europe/London")


def record(url, reference, *events):
    engine = make_engine(url)
    with unit_of_work(engine, write=True) as session:
        if reference:
            open_case(session, reference, process="assessment", caseworker="cw1", la_code=LA,
                      actor="test")
        append(session, reference, list(events), None, "test")
    engine.dispose()


def night(day: str, **kwargs):
    """Run the flow as the scheduler would: at 05:00 London time, as_of left to the flow."""
    at = dt.datetime.fromisoformat(f"{day}T05:00").replace(tzinfo=LONDON)
    with freeze_time(at, tick=True):
        return nightly_sweep(**kwargs)


def new_mail(sink, seen):
    fresh = [(m["To"], m["Subject"]) for m in sink.received[seen:]]
    return sorted(fresh), len(sink.received)


def test_nights_escalate_each_level_once_on_the_right_night(flow_env, smtp_sink, monkeypatch):
    # Both requests arrive Mon 5 Jan 2026: the decision whether to assess is due Mon 16 Feb
    # (R01, 6 weeks). Reminders on Mon 2 Feb and Mon 9 Feb; breach Tue 17 Feb; head of
    # service on Tue 3 Mar (the breach's 10th working day).
    seed_authority(flow_env)
    request = {"type": "request_received", "date": "2026-01-05", "requester": "parent",
               "channel": "email"}
    record(flow_env, "EHC-A", request)
    record(flow_env, "EHC-B", request)
    seen = 0

    report = night("2026-01-30")
    assert report["as_of"] == "2026-01-30"
    assert report["authorities"][0]["decided"] == 0

    # Mon 2 Feb is skipped; Tuesday catches the first reminder up.
    night("2026-02-03")
    mail, seen = new_mail(smtp_sink, seen)
    assert mail == [
        ("cw1@council.example", "EHC-A: decision to assess due Mon 16 Feb 2026 "
         "(in 10 working days)"),
        ("cw1@council.example", "EHC-B: decision to assess due Mon 16 Feb 2026 "
         "(in 10 working days)"),
    ]
    again = night("2026-02-03")
    assert again["authorities"][0]["decided"] == 0
    assert again["delivery"]["sent"] == 0

    # The SMTP server is down on the night of the second reminder: decided, kept, not lost.
    monkeypatch.setenv("EHC_SMTP_PORT", "9")  # discard port: nothing listens there
    with pytest.raises(DeliveryIncomplete, match="kept pending for the next run"):
        night("2026-02-09")
    assert len(smtp_sink.received) == seen
    monkeypatch.setenv("EHC_SMTP_PORT", str(smtp_sink.port))
    night("2026-02-10")
    mail, seen = new_mail(smtp_sink, seen)
    assert [subject.split(":")[0] for _, subject in mail] == ["EHC-A", "EHC-B"]
    assert all("in 5 working days" in subject for _, subject in mail)

    # EHC-B's decision is recorded between two nights: it never escalates again.
    engine = make_engine(flow_env)
    with unit_of_work(engine, write=True) as session:
        append(session, "EHC-B", [{"type": "decision_to_assess_notified", "date": "2026-02-11",
                                   "outcome": "assess"}], None, "test")
    engine.dispose()

    assert night("2026-02-16")["authorities"][0]["decided"] == 0  # the last day is in time
    night("2026-02-17")
    mail, seen = new_mail(smtp_sink, seen)
    assert mail == [
        ("cw1@council.example",
         "EHC-A: MISSED decision to assess (due Mon 16 Feb 2026, 1 day late)"),
        ("manager@council.example",
         "EHC-A: MISSED decision to assess (due Mon 16 Feb 2026, 1 day late)"),
    ]
    assert night("2026-03-02")["authorities"][0]["decided"] == 0
    night("2026-03-03")
    mail, seen = new_mail(smtp_sink, seen)
    assert mail == [("head@council.example", "EHC-A: still missed after 10 working "
                     "days: decision to assess (due Mon 16 Feb 2026)")]
    ids = smtp_sink.message_ids()
    assert len(ids) == len(set(ids)) == 7
