"""Kill and re-run a sweep, as an operator would, in a bounded loop (``KILLS`` times, both
backends): each run is killed while the relay holds its third message, the next re-runs
the sweep. No email is lost: every one arrives, the one in flight at each kill exactly
twice, the repeat carrying its resend mark (``X-EHC-Resent``). The counts are printed
(``-s``) for the record.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for
from sqlalchemy import select

from db.notify_schema import OutboxRow
from db.session import make_engine, unit_of_work

REPO = Path(__file__).resolve().parents[2]
KILLS = 5

SWEEP = textwrap.dedent("""
    import datetime as dt, sys
    from db.session import make_engine
    from notifications.deliver import deliver_pending
    from notifications.transport import SmtpTransport
    from services.settings import load_settings
    from services.sweep import sweep_authority
    settings = load_settings().notify()
    engine = make_engine(sys.argv[1])
    sweep_authority(engine, sys.argv[2], dt.date(2026, 6, 22), settings)  # 1st run: records
    deliver_pending(engine, SmtpTransport.from_settings(settings), settings)
""")


@pytest.mark.smtp
def test_a_sweep_killed_again_and_again_sends_every_email_and_marks_each_repeat(
    db_url, smtp_sink
):
    seed_authority(db_url)
    for n in range(6):
        put_case(db_url, f"EHC-{n}", [limit("final_plan_due", "2026-06-19")])
    settings = settings_for(smtp_sink)
    env = {**os.environ, "EHC_SMTP_HOST": smtp_sink.host, "EHC_SMTP_PORT": str(smtp_sink.port),
           "EHC_MAIL_FROM": settings.mail_from, "EHC_OUTBOX_SENDING_LEASE_SECONDS": "1"}
    kills = 0
    for _ in range(KILLS):
        smtp_sink.hold_after = len(smtp_sink.received) + 2  # stall on this run's third
        smtp_sink.held.clear()
        smtp_sink.release.clear()
        child = subprocess.Popen([sys.executable, "-c", SWEEP, db_url, LA], cwd=REPO, env=env)
        try:
            assert smtp_sink.held.wait(60), "the sweep never reached its third message"
        finally:
            child.kill()
            child.wait(30)
        kills += child.returncode == -signal.SIGKILL
        smtp_sink.release.set()
        time.sleep(1.2)  # the killed run's claim outlives its 1 s lease
    smtp_sink.hold_after = None
    done = subprocess.run([sys.executable, "-c", SWEEP, db_url, LA], cwd=REPO, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0

    engine = make_engine(db_url)
    with unit_of_work(engine) as session:
        rows = list(session.scalars(select(OutboxRow)))
    engine.dispose()
    ids = [m["Message-ID"] for m in smtp_sink.received]
    repeated = {i for i in ids if ids.count(i) > 1}
    assert kills == KILLS
    assert len(rows) == 12
    assert {r.status for r in rows} == {"sent"}
    assert set(ids) == {r.message_id for r in rows}  # every email arrived
    assert max(ids.count(i) for i in ids) <= 2  # none more than twice
    assert len(repeated) == KILLS  # exactly the one in flight at each kill
    assert {r.message_id for r in rows if r.in_doubt} == repeated
    for message_id in repeated:
        copies = [m for m in smtp_sink.received if m["Message-ID"] == message_id]
        assert copies[0]["X-EHC-Resent"] is None
        assert copies[1]["X-EHC-Resent"].startswith("possible duplicate")
    print(f"\nsweep: {KILLS} kills, {len(rows)} emails, {len(ids)} deliveries: every email "
          f"arrived, {len(repeated)} twice (each marked X-EHC-Resent), none lost")
