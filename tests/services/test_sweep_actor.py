"""Whose duty a breach is decides who hears of it -- through the real sweep and a real
SMTP server. A breached duty of the mediation adviser (R22) or of the commissioning body
(R24, R25) is not the council's own breach: it reaches the caseworker only, never the team
manager or the head of service (the sweep's own row mapping once dropped ``actor``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from notify_fixtures import LA, limit, put_case, seed_authority, settings_for

from db.session import make_engine
from notifications.transport import SmtpTransport
from services.outbox import deliver
from services.sweep import sweep_authority

pytestmark = pytest.mark.smtp

D = dt.date.fromisoformat
NIGHT = D("2026-06-22")


def duty(key: str, rule: str, actor: str) -> object:
    return dataclasses.replace(limit(key, "2026-06-01", rule=rule), actor=actor)


@pytest.mark.parametrize(("key", "rule", "actor"), [
    ("mediation_certificate_due", "R22", "mediation_adviser"),
    ("health_mediation_response_due", "R24", "commissioning_body"),
    ("tribunal_health_recommendation_response_due", "R25", "commissioning_body"),
])
def test_someone_elses_breached_duty_reaches_the_caseworker_only(
    db_url, smtp_sink, key, rule, actor
):
    seed_authority(db_url)
    put_case(db_url, "OTHER-1", [duty(key, rule, actor)])
    put_case(db_url, "OWN-1", [limit("final_plan_due", "2026-06-01")])
    engine = make_engine(db_url)
    settings = settings_for(smtp_sink)
    sweep_authority(engine, LA, NIGHT, settings)
    report = deliver(engine, LA, settings, SmtpTransport.from_settings(settings))
    engine.dispose()
    assert report.unavailable is None
    told = {}
    for message in smtp_sink.received:
        case = "OTHER-1" if "OTHER-1" in message["Subject"] else "OWN-1"
        told.setdefault(case, set()).add(message["To"])
    assert told["OTHER-1"] == {"cw1@council.example"}
    # The council's own breach, the same night, goes up the ladder as before.
    assert {"cw1@council.example", "manager@council.example"} <= told["OWN-1"]
