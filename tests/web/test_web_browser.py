"""The pages in a real headless Chromium (Debian's), served by uvicorn on a free port: log in
and out, the error summary, every page checked with axe-core (zero violations), and the
screenshots the docs show. The ``page`` fixture fails any test whose page logs an error,
so a Content-Security-Policy that blocked our own CSS or JS would fail here too."""

from __future__ import annotations

import pytest
from web_helpers import PASSWORD, assert_accessible, screenshot, sign_in_browser

pytestmark = pytest.mark.browser


def test_the_log_in_page(page, live_app):
    page.goto(live_app.url("/login"))
    assert page.title() == "Sign in – EHC timescales – Local authority"
    assert page.locator(".govuk-generic-header").is_visible()
    # the Design System's own CSS and JS loaded and ran (no inline script needed)
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.lower().startswith("arial")
    assert page.locator("button.govuk-password-input__toggle").is_visible()  # JS enhanced
    assert_accessible(page)
    screenshot(page, "login")


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_username(page, live_app):
    sign_in_browser(page, live_app.url("/login"), "alice", "not the right one")
    assert page.title().startswith("Error: Sign in")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.locator("#username-error").inner_text().endswith(
        "The username or password is not right")
    assert page.get_by_label("Username").input_value() == "alice"
    assert page.get_by_label("Password", exact=True).input_value() == ""
    assert_accessible(page)
    summary.get_by_role("link").click()  # the summary's link takes you to the field
    assert page.evaluate("document.activeElement.id") == "username"


def test_sign_in_home_and_sign_out(signed_in_page, live_app):
    page = signed_in_page
    assert page.url == live_app.url("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, alice"
    assert page.locator(".govuk-generic-header").inner_text().strip() == \
        "Staffordshire County Council"
    assert_accessible(page)
    screenshot(page, "home")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.url == live_app.url("/signed-out")
    assert_accessible(page)
    page.goto(live_app.url("/"))
    assert page.url.startswith(live_app.url("/login"))


@pytest.mark.parametrize("path", ["/accessibility", "/no-such-page"])
def test_the_pages_anyone_can_reach_are_accessible(page, live_app, path):
    page.goto(live_app.url(path))
    assert page.locator("h1").is_visible()
    assert_accessible(page)


def test_signed_in_error_pages_are_accessible(signed_in_page, live_app):
    response = signed_in_page.goto(live_app.url("/cases/unknown"))
    assert response.status == 404
    assert signed_in_page.get_by_role("button", name="Sign out").is_visible()
    assert_accessible(signed_in_page)


def test_everything_works_without_javascript(browser, live_app):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_browser(page, live_app.url("/login?next=/accessibility"), "mo", PASSWORD)
        assert page.url == live_app.url("/accessibility")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
    finally:
        context.close()


def test_a_narrow_phone_screen_keeps_every_control(browser, live_app):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        sign_in_browser(page, live_app.url("/login"), "harriet", PASSWORD)
        # Her five pages fold behind the service navigation's "Menu", Sign out with them.
        assert not page.get_by_role("button", name="Sign out").is_visible()
        page.get_by_role("button", name="Menu").click()
        assert page.get_by_role("button", name="Sign out").is_visible()
        assert page.get_by_role("link", name="Service", exact=True).is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320  # WCAG 1.4.10 reflow: no sideways scrolling
        assert_accessible(page)
    finally:
        context.close()


def test_the_axe_check_does_find_violations_when_there_are_some(browser):
    from web_helpers import axe_violations

    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
        found = {violation["id"] for violation in axe_violations(page)}
        assert {"image-alt", "label", "html-has-lang"} <= found
    finally:
        context.close()


def test_the_content_security_policy_really_blocks_inline_script(browser, live_app):
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    try:
        page.goto(live_app.url("/login"))
        page.evaluate("""() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.appendChild(script);
        }""")
        assert page.evaluate("window.injected === undefined")
        assert any("Content Security Policy" in text for text in messages)
    finally:
        context.close()
