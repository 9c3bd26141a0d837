"""The family page in a real browser: axe (zero violations) on a desktop and a 320 px
phone, nothing wider than the phone, the print stylesheet, and the docs' screenshot; the
caseworker's links page too."""

from __future__ import annotations

import pytest
from family_fixtures import NOTE, OTHER, open_cases
from web_helpers import assert_accessible, screenshot

from services import family
from services.bootstrap import utc_now

pytestmark = pytest.mark.browser


@pytest.fixture
def family_url(live_app):
    open_cases(live_app.engine)
    issued = family.create_link(live_app.engine, "EHC-F-1", la_code="E10000028",
                                actor="alice", now=utc_now())
    return live_app.url(f"/family/{issued.token}")


def test_the_family_page_is_accessible_and_shows_nothing_it_should_not(page, family_url):
    page.goto(family_url)
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Your child's EHC needs assessment"
    assert page.locator(".govuk-generic-header").inner_text().strip() == \
        "Staffordshire County Council"
    shown = page.locator("body").inner_text()
    for secret in (NOTE, OTHER, "Alice", "alice", "bob"):
        assert secret not in shown
    assert "Sign out" not in shown
    assert_accessible(page)
    screenshot(page, "family")


def test_the_family_page_reads_on_a_320_px_phone(page, family_url):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(family_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)


def test_the_family_page_prints_without_the_sites_chrome(page, family_url):
    page.goto(family_url)
    page.emulate_media(media="print")
    assert not page.locator(".govuk-footer").is_visible()
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert page.get_by_role("heading", name="If the council misses a date").is_visible()
    assert len(page.pdf()) > 1000  # Chromium lays it out for paper


def test_the_caseworkers_links_page_is_accessible(signed_in_page, live_app):
    open_cases(live_app.engine)
    page = signed_in_page
    page.goto(live_app.url("/cases/EHC-F-1/family-links"))
    assert_accessible(page)
    page.get_by_role("button", name="Make a new family link").click()
    page.wait_for_load_state()
    link = page.locator("#new-link").inner_text()
    assert "/family/" in link
    assert_accessible(page)
    page.goto(link)
    assert page.get_by_role("heading", level=1).is_visible()
