"""The weekly-timeliness flow for real (Prefect harness, SQLite, a real SMTP server): the
managers' email with its charts, once a week, the Prefect artifact -- and the protected
person record in no email, log line or outbox row of any flow."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from db.notify_schema import OutboxRow
from db.session import make_engine, unit_of_work
from flows.daily_digest import daily_digest
from flows.nightly_sweep import nightly_sweep
from flows.weekly_timeliness import weekly_timeliness
from services.person import set_person
from tests.conftest import STAFFS, seed_staff
from tests.reporting.dataset import load

pytestmark = [pytest.mark.prefect, pytest.mark.smtp]
DAY = dt.date(2026, 12, 1)
SECRET = {"surname": "Quixotic-Zebedee", "forename": "Ottoline", "upn": "U820200101001",
          "postcode": "ST16 9ZZ", "birth_date": "2015-04-01", "uln": "9876543210"}


@pytest.fixture
def caseload(flow_env):
    engine = make_engine(flow_env)
    seed_staff(engine)
    load(engine)
    yield engine
    engine.dispose()


def test_managers_get_the_figures_and_charts_once_a_week(caseload, smtp_sink):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    result = weekly_timeliness(as_of=DAY, la_codes=[STAFFS])
    assert result["authorities"][0]["emails_recorded"] == 3
    assert sorted(m["To"] for m in smtp_sink.received) == [
        "head@staffs.example", "mo@staffs.example", "sam@staffs.example"]
    message = smtp_sink.received[0]
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert sorted(files) == ["advice.png", "ageing.png", "bands.png", "trend.png"]
    assert all(data.startswith(b"\x89PNG") and len(data) > 5000 for data in files.values())
    body = message.get_body(("plain",)).get_content()
    # Twelve months to 1 Dec 2026 = all of 2026 here: A, E, F on time of A, B, D, E, F.
    assert "new plans within 20 weeks, excluding exceptions: 60.0  (3 of 5)" in body
    again = weekly_timeliness(as_of=DAY, la_codes=[STAFFS])
    assert again["authorities"][0]["emails_recorded"] == 0
    assert len(smtp_sink.received) == 3
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[f"weekly-timeliness-{STAFFS.lower()}"])))
    assert artifacts
    assert "| all | new plans within 20 weeks, excluding exceptions | 3 / 5 | 60.0 |" in (
        artifacts[0].data)


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_person_record_never_reaches_an_email_log_line_or_outbox_row(
    caseload, smtp_sink, monkeypatch, capfd
):
    monkeypatch.setenv("EHC_EMAIL_INCLUDE_PERSONAL_DATA", "true")  # even when allowed
    for ref in ("A", "B", "C", "D", "E", "F"):
        set_person(caseload, ref, SECRET, actor="alice")
    handler = _Everything()
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        nightly_sweep(as_of=DAY)
        daily_digest(as_of=DAY)
        weekly_timeliness(as_of=DAY, la_codes=[STAFFS])
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    with unit_of_work(caseload) as s:
        outbox = [repr(row.__dict__) for row in s.scalars(select(OutboxRow))]
    emails = [m.as_string() for m in smtp_sink.received]
    out, err = capfd.readouterr()
    assert len(outbox) > 3  # escalations and digests were sent too, not only the summary
    assert handler.lines
    for text in [*outbox, *emails, *handler.lines, out, err]:
        for value in SECRET.values():
            assert value not in text
