"""The flows run for real: one Prefect test harness for the whole session (it costs
~16 s to start), a real SMTP server, and a SQLite database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from notify_fixtures import auth_smtp_sink, debug_log, smtp_sink  # noqa: F401  (fixtures)

from db.session import dispose_engines


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_env(sqlite_url, smtp_sink, monkeypatch, prefect_harness):  # noqa: F811
    """The flows' settings come from the environment, as in production."""
    monkeypatch.setenv("EHC_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("EHC_SMTP_HOST", smtp_sink.host)
    monkeypatch.setenv("EHC_SMTP_PORT", str(smtp_sink.port))
    monkeypatch.setenv("EHC_MAIL_FROM", "EHC timescales <ehc@council.example>")
    dispose_engines()
    yield sqlite_url
    dispose_engines()
