"""Every page and error page: the security headers, the council's look (no crown, no GDS
Transport), and no traceback whatever goes wrong."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from web.app import create_app
from web.settings import WebSettings

ANONYMOUS_PAGES = ["/login", "/accessibility", "/signed-out", "/no-such-page", "/static/app.mjs",
                   "/static/build/app.css"]
SIGNED_IN_PAGES = ["/", "/accessibility", "/no-such-page"]


def assert_hardened(response, *, page: bool = True):
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    if page:
        assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_every_response_carries_the_security_headers(web, path):
    response = web.client().get(path)
    assert response.status_code in (200, 404)
    assert_hardened(response, page=not path.startswith("/static/"))
    assert "strict-transport-security" not in response.headers  # plain http (the demo)


def test_signed_in_pages_carry_them_too(web):
    client = web.client()
    web.sign_in(client, "alice")
    for path in SIGNED_IN_PAGES:
        assert_hardened(client.get(path))
    assert_hardened(web.sign_in(web.client(), "alice"))  # the redirect after log-in


def test_hsts_is_sent_when_cookies_are_secure(web):
    web.settings = WebSettings(secure_cookies=True)
    response = web.client().get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_pages_have_no_inline_script_or_style(web):
    client = web.client()
    web.sign_in(client, "alice")
    for path in ("/", "/accessibility"):
        html = client.get(path).text
        assert "<script>" not in html
        assert "<script " not in html.replace(
            '<script type="module" src="/static/app.mjs">', "")
        assert "<style" not in html
        assert "style=" not in html


def test_the_layout_is_the_councils_not_gov_uk(web):
    client = web.client()
    web.sign_in(client, "alice")
    html = client.get("/").text
    assert "govuk-generic-header" in html
    assert "Staffordshire County Council" in html  # the signed-in user's authority
    assert "EHC timescales" in html
    assert "govuk-header__logotype" not in html
    assert "Crown copyright" not in html
    assert 'href="#main-content"' in html
    assert 'id="main-content"' in html
    assert 'href="/accessibility"' in html
    css = client.get("/static/build/app.css").text
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "font-family:arial,helvetica,sans-serif" in css.replace(", ", ",")


def test_not_found_is_a_design_system_page(web):
    response = web.client().get("/no-such-page")  # (an unknown case: the matrix tests)
    assert response.status_code == 404
    assert "<h1 class=\"govuk-heading-l\">Page not found</h1>" in response.text
    assert "Error" not in response.text.split("<title>")[1].split("</title>")[0]


def test_a_wrong_method_is_not_found_too(web):
    assert web.client().get("/logout").status_code == 405


def failing_app(web):
    router = APIRouter()

    @router.get("/boom")
    def boom():
        raise RuntimeError("secret detail from deep inside")

    app = create_app(web.engine, web.settings, clock=web.clock)
    app.app.include_router(router)
    return app


def test_an_unexpected_error_is_a_500_page_without_a_traceback(web, caplog):
    from starlette.testclient import TestClient

    client = TestClient(failing_app(web), base_url="http://127.0.0.1")
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text
    assert_hardened(response)
    assert "secret detail from deep inside" in caplog.text  # the server log has it


def test_bad_input_at_the_door_is_a_422_page_naming_the_field(web):
    """Issue 13: what the CLI exits 2 for, the web answers 422, nothing written."""
    import datetime as dt

    from starlette.testclient import TestClient

    from services import cases

    router = APIRouter()

    @router.get("/record")
    def record():
        cases.record_events(web.engine, "C1", [{"type": "request_received",
                                                "date": "2026-01-05", "recorded_by": "mallory"}],
                            recorded_by="alice", as_of=dt.date(2026, 7, 20))

    app = create_app(web.engine, web.settings, clock=web.clock)
    app.app.include_router(router)
    response = TestClient(app, base_url="http://127.0.0.1").get("/record")
    assert response.status_code == 422
    assert "recorded_by is not an event field" in response.text
    assert_hardened(response)


def test_a_database_that_is_not_set_up_says_so_as_a_503_page(tmp_path):
    from starlette.testclient import TestClient

    from db.session import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/empty.sqlite3")
    client = TestClient(create_app(engine, WebSettings(secure_cookies=False)),
                        base_url="http://127.0.0.1")
    client.cookies.set("ehc_session", "x" * 43)
    response = client.get("/")
    assert response.status_code == 503
    assert "is not set up yet: run `ehc init` first" in response.text
    engine.dispose()
