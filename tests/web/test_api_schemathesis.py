"""Schemathesis: generated requests for every operation of the committed OpenAPI schema,
sent to the live server with a write token; every answer must be no server error, with a
documented status, content type and body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from family_fixtures import open_cases
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services import api_tokens
from services.bootstrap import utc_now

SCHEMA = schemathesis.openapi.from_dict(json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8")))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def token(live_app):
    open_cases(live_app.engine)
    return api_tokens.create_token(live_app.engine, "fuzz", la_code="E10000028",
                                   scope="write", actor="root", now=utc_now()).token


@SCHEMA.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_generated_requests_get_documented_answers(case, live_app, token):
    case.call_and_validate(base_url=live_app.base,
                           headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
