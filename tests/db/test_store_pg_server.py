"""The fallback the PostgreSQL fixtures use where no server is running: start our own."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from db.migrate import head_revision, upgrade_to_head
from db.session import make_engine


@pytest.mark.postgres
def test_a_private_postgres_server_starts_takes_the_schema_and_stops(private_postgres):
    try:
        url, stop = private_postgres()
    except RuntimeError as exc:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(str(exc))
    try:
        engine = make_engine(url.render_as_string(hide_password=False))
        assert upgrade_to_head(engine) == (None, head_revision())
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM case_events")) == 0
        engine.dispose()
    finally:
        stop()
    gone = create_engine(url, connect_args={"connect_timeout": 2})
    with pytest.raises(OperationalError), gone.connect():
        pass
    gone.dispose()
