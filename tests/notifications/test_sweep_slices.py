"""The sweep takes an authority's cases a slice at a time (memory flat in the number of
cases) and decides and records exactly what one pass over all of them would; the partial
indexes of revision 0008 come and go with it. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from alembic import command
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from notify_fixtures import outbox_rows as rows
from sqlalchemy import inspect

from db.migrate import alembic_config
from db.session import make_engine
from services import sweep

T0 = dt.datetime(2026, 6, 22, 4, 0, tzinfo=dt.UTC)
NIGHT = dt.date(2026, 6, 22)
INDEXES = {"ix_deadlines_open_limits", "ix_deadlines_acted_windows"}


def seeded(url):
    seed_authority(url)
    for n in range(7):
        due = "2026-06-19" if n % 2 else "2026-07-06"  # breached, or a reminder due soon
        put_case(url, f"EHC-{n}", [limit("final_plan_due", due)])
    return make_engine(url)


def test_slices_of_two_cases_decide_and_record_what_one_pass_does(db_url):
    engine = seeded(db_url)
    settings = settings_for(None)
    whole = sweep.sweep_authority(engine, LA, NIGHT, settings, dry_run=True, now=T0)
    sliced = sweep.sweep_authority(engine, LA, NIGHT, settings, slice_size=2, now=T0)
    assert sliced.decided == whole.decided > 0
    assert sliced.by_level == whole.by_level
    assert sliced.emails_recorded == len(whole.planned)
    assert sorted(r.key for r in rows(engine)) == sorted(e.key for e in whole.planned)
    again = sweep.sweep_authority(engine, LA, NIGHT, settings, slice_size=3, now=T0)
    assert (again.decided, again.emails_recorded) == (0, 0)
    engine.dispose()


def test_the_open_deadline_indexes_come_and_go_with_revision_0008(db_engine):
    def migrate(revision, *, down=False):
        config = alembic_config()
        with db_engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)

    def indexes():
        return {i["name"] for i in inspect(db_engine).get_indexes("deadlines")}

    assert INDEXES <= indexes()
    migrate("0009_open_deadline_indexes-1", down=True)
    assert not INDEXES & indexes()
    migrate("head")
    assert INDEXES <= indexes()
