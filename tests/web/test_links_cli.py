"""``ehc family-link``, ``ehc feed`` and ``ehc api-token``: what the demo prints works
against the served app; lists and revocations; refusals exit 1 with the reason."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import icalendar
import pytest
from family_fixtures import ELSEWHERE, open_cases

from tests.cli_run import ehc


@pytest.fixture
def served(live_app, db_env):
    open_cases(live_app.engine)
    return live_app


def _get(url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_the_printed_family_link_and_calendar_url_work(served, capsys):
    code, out, _ = ehc(capsys, "family-link", "create", "EHC-F-1",  # the case's own authority
                       "--base-url", served.base, "--user", "alice")
    assert code == 0
    link = out.splitlines()[0]
    status, page = _get(link)
    assert status == 200
    assert b"Your child&#39;s EHC needs assessment" in page
    code, out, _ = ehc(capsys, "feed", "create", "--caseworker", "alice",
                       "--base-url", served.base)
    assert code == 0
    status, body = _get(out.splitlines()[0])
    assert status == 200
    assert list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    code, out, _ = ehc(capsys, "family-link", "list", "EHC-F-1", "--la", "E10000028")
    link_id = out.split("\t")[0]
    assert code == 0
    assert "\tlive\t" in out
    assert "by alice" in out
    assert ehc(capsys, "family-link", "revoke", "EHC-F-1", link_id, "--la", "E10000028")[0] == 0
    assert _get(link)[0] == 404
    code, out, _ = ehc(capsys, "feed", "list", "--la", "E10000028")
    assert code == 0
    assert "caseworker alice" in out
    assert ehc(capsys, "feed", "revoke", out.split("\t")[0], "--la", "E10000028")[0] == 0


def test_api_tokens_from_the_command_line(served, capsys):
    code, out, _ = ehc(capsys, "api-token", "create", "hub", "--la", "E10000028",
                       "--scope", "read")
    assert code == 0
    token = out.splitlines()[0]
    status, body = _get(served.url("/api/cases/EHC-F-1"), token)
    assert status == 200
    assert json.loads(body)["reference"] == "EHC-F-1"
    code, out, _ = ehc(capsys, "api-token", "list")
    assert code == 0
    assert "\tlive\thub\tread\tE10000028" in out
    assert ehc(capsys, "api-token", "revoke", out.split("\t")[0])[0] == 0
    assert _get(served.url("/api/cases/EHC-F-1"), token)[0] == 401
    assert ehc(capsys, "api-token", "revoke", "999")[0] == 1


def test_refusals_say_why(served, capsys):
    code, _, err = ehc(capsys, "family-link", "create", ELSEWHERE, "--la", "E10000028")
    assert code == 1
    assert f"unknown case {ELSEWHERE!r}" in err
    code, _, err = ehc(capsys, "feed", "create", "--team", "Nowhere", "--la", "E10000028")
    assert code == 1
    assert "unknown team 'Nowhere'" in err
    code, _, err = ehc(capsys, "feed", "create", "--caseworker", "dave", "--la", "E10000028")
    assert code == 1
    assert "unknown caseworker 'dave'" in err
    code, _, err = ehc(capsys, "api-token", "create", "bad name!", "--la", "E10000028")
    assert code == 2
    assert "system name" in err
    code, _, err = ehc(capsys, "family-link", "create", "EHC-F-1", "--la", "E10000028",
                       "--days", "400")
    assert code == 2
    assert "1 to 366 days" in err
