"""The sweep reads only the cases whose night has come (``cases.next_sweep_on``) and
records, night after night, exactly what reading every case would have; recording an
event makes the sweep read the case again. Real demo caseloads, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from notify_fixtures import outbox_rows, settings_for
from sqlalchemy import select, update

from db.demo_load import load_in_batches, load_organisation
from db.migrate import upgrade_to_head
from db.schema import Case
from db.session import make_engine, unit_of_work
from demo import DEMO_LA_CODE, generate_open_cases
from services import sweep
from services.cases import record_events

START = dt.date(2026, 11, 2)
T0 = dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC)


def loaded(url: str, cases: int):
    engine = make_engine(url)
    upgrade_to_head(engine)
    caseload = generate_open_cases(cases, 11, START)
    with unit_of_work(engine, write=True) as session:
        load_organisation(session, caseload.organisation)
        for _ in load_in_batches(session, DEMO_LA_CODE, caseload.cases):
            pass
    return engine


def nights(engine) -> dict[int, dt.date | None]:
    with unit_of_work(engine) as session:
        return dict(session.execute(select(Case.id, Case.next_sweep_on)).all())


def everything_read_tonight(engine, night: dt.date, settings=None) -> set[str]:
    """The emails a sweep reading every case would plan tonight (the next nights put
    back afterwards)."""
    kept = nights(engine)
    with unit_of_work(engine, write=True) as session:
        session.execute(update(Case).values(next_sweep_on=None))
    planned = sweep.sweep_authority(engine, DEMO_LA_CODE, night,
                                    settings or settings_for(None), dry_run=True,
                                    now=T0).planned
    with unit_of_work(engine, write=True) as session:
        for case_id, kept_night in kept.items():
            session.execute(update(Case).where(Case.id == case_id)
                            .values(next_sweep_on=kept_night))
    return {email.key for email in planned}


def test_night_after_night_it_records_what_reading_every_case_would(db_url):
    engine = loaded(db_url, 120)
    settings = settings_for(None)
    read_on_last_night = 0
    for offset in range(25):
        night = START + dt.timedelta(days=offset)
        expected = everything_read_tonight(engine, night)
        before = {row.key for row in outbox_rows(engine)}
        woken = sum(1 for n in nights(engine).values() if n is None or n <= night)
        result = sweep.sweep_authority(engine, DEMO_LA_CODE, night, settings, now=T0)
        recorded = {row.key for row in outbox_rows(engine)} - before
        assert recorded == expected, night
        assert result.emails_recorded == len(expected)
        read_on_last_night = woken
    assert 0 < read_on_last_night < 120 / 2  # a steady night reads a few cases, not all
    assert all(n is not None for n in nights(engine).values())
    engine.dispose()


def test_an_event_that_changes_deadlines_makes_the_sweep_read_the_case_again(db_url):
    engine = loaded(db_url, 20)
    settings = settings_for(None)
    sweep.sweep_authority(engine, DEMO_LA_CODE, START, settings, now=T0)
    with unit_of_work(engine) as session:
        reference, case_id = session.execute(
            select(Case.reference, Case.id).where(Case.process == "review")
            .order_by(Case.id)).first()
    night = nights(engine)[case_id]
    assert night is not None
    # An absence changes no date of a maintained plan: the night it was given stands.
    record_events(engine, reference, [{"type": "absence_from_area", "date": "2026-11-02",
                                       "from": "2026-11-02", "to": "2026-11-20"}],
                  recorded_by="cw", as_of=START)
    assert nights(engine)[case_id] == night
    # A review meeting booked starts its notice clocks: the case must be read again.
    record_events(engine, reference, [{"type": "review_meeting_scheduled",
                                       "date": "2026-11-02", "meeting_date": "2026-12-14"}],
                  recorded_by="cw", as_of=START)
    assert nights(engine)[case_id] is None
    again = sweep.sweep_authority(engine, DEMO_LA_CODE, START, settings, now=T0)
    assert again.decided == 0  # read again, and nothing new was due
    assert nights(engine)[case_id] is not None
    engine.dispose()


LADDER_YAML = """
default:
  - {level: reminder_30, track: statutory, when: before, working_days: 30,
     roles: [caseworker]}
"""


def test_a_new_ladder_makes_the_sweep_read_every_case_again(db_url, tmp_path):
    engine = loaded(db_url, 60)
    sweep.sweep_authority(engine, DEMO_LA_CODE, START, settings_for(None), now=T0)
    night = START + dt.timedelta(days=1)
    assert sum(1 for n in nights(engine).values() if n is None or n <= night) < 60
    path = tmp_path / "ladders.yaml"
    path.write_text(LADDER_YAML)
    longer = settings_for(None, ladder_file=path)
    expected = everything_read_tonight(engine, night, longer)
    assert {key.split("/")[4] for key in expected} == {"reminder_30"}
    # The nights were set on the old ladder: on the new one, the dry run and the sweep
    # read every case, and plan and record what reading every case gives.
    planned = sweep.sweep_authority(engine, DEMO_LA_CODE, night, longer, dry_run=True,
                                    now=T0).planned
    assert {e.key for e in planned} == expected
    before = {row.key for row in outbox_rows(engine)}
    sweep.sweep_authority(engine, DEMO_LA_CODE, night, longer, now=T0)
    assert {row.key for row in outbox_rows(engine)} - before == expected
    engine.dispose()
