"""``ehc serve``: the real command serves the app; it refuses insecure cookies off loopback;
and ``ehc --help`` does not load the web stack."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from web_helpers import free_port

from cli.main import main

EHC = str(Path(sys.executable).with_name("ehc"))


def test_help_does_not_import_the_web_stack():
    code = ("import sys, cli.main; cli.main.build_parser(); "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'web.app', 'jinja2') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_plain_http_cookies_are_refused_off_loopback(monkeypatch, capsys):
    monkeypatch.setenv("EHC_WEB_SECURE_COOKIES", "false")
    assert main(["serve", "--host", "0.0.0.0"]) == 1
    assert "only allowed when serving on 127.0.0.1" in capsys.readouterr().err


def test_a_malformed_setting_is_named(monkeypatch, capsys):
    monkeypatch.setenv("EHC_SESSION_IDLE_MINUTES", "soon")
    assert main(["serve"]) == 2  # bad input, as for every other setting
    assert "EHC_SESSION_IDLE_MINUTES='soon'" in capsys.readouterr().err


def test_a_bad_general_setting_is_named_before_serving(monkeypatch, capsys):
    monkeypatch.setenv("EHC_DB_BUSY_TIMEOUT", "never")
    assert main(["serve"]) == 2
    assert "EHC_DB_BUSY_TIMEOUT='never'" in capsys.readouterr().err


def test_ehc_serve_serves_the_log_in_page(staffed_env):
    port = free_port()
    env = {**os.environ, "EHC_DATABASE_URL": staffed_env, "EHC_WEB_SECURE_COOKIES": "false",
           "EHC_AUTHORITY_NAME": "Staffordshire County Council"}
    with subprocess.Popen([EHC, "serve", "--port", str(port)], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as server:
        try:
            _check_serving(server, port)
        finally:
            server.terminate()
            server.wait(timeout=20)


def _check_serving(server, port):
    assert server.stdout is not None
    first = server.stdout.readline()
    assert first.strip() == f"EHC timescales on http://127.0.0.1:{port}/ (Ctrl-C to stop)"
    deadline = time.monotonic() + 30
    while True:
        try:
            response = httpx2.get(f"http://127.0.0.1:{port}/login", timeout=2)
            break
        except httpx2.TransportError:
            assert time.monotonic() < deadline, "ehc serve did not answer within 30 s"
            time.sleep(0.2)
    assert response.status_code == 200
    assert "Staffordshire County Council" in response.text
    assert "server" not in response.headers  # uvicorn does not say what it is
    assert response.headers["referrer-policy"] == "no-referrer"
