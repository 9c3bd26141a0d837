"""Sweep options that change what is decided or said: personal data, per-LA ladders."""

from __future__ import annotations

import datetime as dt

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from sqlalchemy import select

from db.directory import open_case
from db.event_store import append
from db.notify_schema import OutboxRow
from db.session import make_engine, unit_of_work
from notifications.deliver import deliver_pending
from notifications.transport import InMemoryTransport
from services import sweep
from services.errors import InvalidInput

D = dt.date.fromisoformat
T0 = dt.datetime(2026, 2, 17, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def named_child(sqlite_url):
    """A request (5 Jan 2026) whose event carries the child's name and needs; the decision
    whether to assess was due 16 Feb and is missed by the 17th."""
    seed_authority(sqlite_url)
    engine = make_engine(sqlite_url)
    with unit_of_work(engine, write=True) as session:
        open_case(session, "EHC-7", process="assessment", caseworker="cw1", la_code=LA,
                  actor="test")
        append(session, "EHC-7", [{
            "type": "request_received", "date": "2026-01-05", "requester": "parent",
            "channel": "email", "child_name": "Alice Example", "needs": "autism",
        }], 0, "test")
    yield engine
    engine.dispose()


def sent_text(engine, settings):
    transport = InMemoryTransport()
    deliver_pending(engine, transport, settings, clock=lambda: T0)
    return [m.as_string() for m in transport.sent]


def payloads(engine):
    with unit_of_work(engine) as session:
        return [str(row.payload) for row in session.scalars(select(OutboxRow))]


def test_by_default_the_childs_name_is_neither_stored_in_the_outbox_nor_emailed(named_child):
    settings = settings_for(None)
    sweep.sweep_authority(named_child, LA, D("2026-02-17"), settings, now=T0)
    assert payloads(named_child)
    assert not any("Alice" in p or "autism" in p for p in payloads(named_child))
    mails = sent_text(named_child, settings)
    assert len(mails) == 2
    assert not any("Alice" in m or "autism" in m for m in mails)


def test_the_childs_name_is_emailed_only_when_the_setting_allows_it(named_child):
    settings = settings_for(None, include_personal_data=True)
    sweep.sweep_authority(named_child, LA, D("2026-02-17"), settings, now=T0)
    mails = sent_text(named_child, settings)
    assert len(mails) == 2
    assert all("Child: Alice Example" in m and "Needs: autism" in m for m in mails)


LADDER_YAML = """
local_authorities:
  E10000028:
    - {level: reminder_15, track: statutory, when: before, working_days: 15,
       roles: [caseworker]}
"""


def test_a_local_authority_ladder_file_sets_when_its_reminders_fire(sqlite_url, tmp_path):
    path = tmp_path / "ladders.yaml"
    path.write_text(LADDER_YAML)
    settings = settings_for(None, ladder_file=path)
    seed_authority(sqlite_url)
    put_case(sqlite_url, "EHC-1", [limit("final_plan_due", "2026-06-19")])
    engine = make_engine(sqlite_url)
    # 15 working days before Fri 19 Jun 2026 is Fri 29 May; the default ladder has no rung
    # that early, and this one has no breach rung at all.
    assert sweep.sweep_authority(engine, LA, D("2026-05-28"), settings).decided == 0
    found = sweep.sweep_authority(engine, LA, D("2026-05-29"), settings, dry_run=True)
    assert [e.key.split("/")[4] for e in found.planned] == ["reminder_15"]
    assert sweep.sweep_authority(engine, LA, D("2026-05-29"), settings).by_level == {
        "reminder_15": 1}
    assert sweep.sweep_authority(engine, LA, D("2026-06-22"), settings).decided == 0
    engine.dispose()


def test_a_bad_ladder_file_stops_the_sweep_with_its_reason(sqlite_url, tmp_path):
    path = tmp_path / "ladders.yaml"
    path.write_text(LADDER_YAML.replace("[caseworker]", "[caseworker, director]"))
    seed_authority(sqlite_url)
    engine = make_engine(sqlite_url)
    with pytest.raises(InvalidInput, match="ladder row 1.*'director' is not a valid Role"):
        sweep.sweep_authority(engine, LA, D("2026-05-29"), settings_for(None, ladder_file=path))
    engine.dispose()
