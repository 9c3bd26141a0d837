"""The casework pages in the real headless Chromium: log in, find the most urgent case,
record an event and see its deadline change, make an invalid entry and see the error with
nothing lost, follow a real escalation email's link (signed in and out), and axe-core on
every page (zero violations). Takes the docs' screenshots of the main pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from notify_fixtures import settings_for, smtp_sink  # noqa: F401  (a real SMTP server)
from web_helpers import assert_accessible, screenshot, sign_in_browser

from notifications.transport import SmtpTransport
from services import outbox, sweep
from services.bootstrap import london_today

pytestmark = pytest.mark.browser

KEY = "decision_to_assess_due"


def test_record_an_event_and_see_the_deadline_change(cased, signed_in_page, live_app):
    page = signed_in_page
    page.goto(live_app.url("/cases"))
    assert page.title().startswith("My cases")
    rows = page.locator("tbody tr")
    assert rows.first.get_attribute("data-rag") == "red"
    assert "Overdue" in rows.first.inner_text()  # the words, not colour alone
    assert_accessible(page)
    screenshot(page, "cases")

    rows.first.get_by_role("link").click()
    assert page.url.endswith(f"/cases/S-LATE#{KEY}")
    assert page.evaluate("document.querySelector(':target').id") == KEY
    deadline = page.locator(f"#{KEY}")
    assert "Overdue" in deadline.inner_text()
    assert_accessible(page)
    screenshot(page, "case")

    page.get_by_label("Next event").select_option("decision_to_assess_notified")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Record: Decision to assess notified"
    assert_accessible(page)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Note (optional)").fill("phoned the family first")
    page.get_by_role("button", name="Record").click()

    assert page.title().startswith("Error: Record")
    summary = page.locator(".govuk-error-summary")
    assert "Date it happened must be a real date" in summary.inner_text()
    assert "Select outcome" in summary.inner_text()
    assert page.get_by_label("Day").input_value() == "31"  # nothing lost
    assert page.get_by_label("Note (optional)").input_value() == "phoned the family first"
    assert_accessible(page)
    screenshot(page, "record-error")

    yesterday = london_today() - dt.timedelta(days=1)
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Assess").check()
    page.get_by_role("button", name="Record").click()
    assert page.url.endswith("/cases/S-LATE?done=recorded")
    assert "The event was recorded" in page.locator(".govuk-notification-banner").inner_text()
    assert "Met late" in page.locator(f"#{KEY}").inner_text()  # the deadline changed
    assert "Decision to assess notified" in page.locator("#timeline + ol").inner_text()
    assert_accessible(page)


def test_the_worklist_close_form_and_corrections_are_accessible(cased, signed_in_page,
                                                                live_app):
    page = signed_in_page
    page.goto(live_app.url("/worklist"))
    assert page.locator("tbody tr").count() >= 1
    assert_accessible(page)
    screenshot(page, "worklist")
    page.goto(live_app.url("/cases/S-FINE/close"))
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Are you sure you want to close this case?"
    assert_accessible(page)
    page.goto(live_app.url("/cases/S-FINE"))
    page.get_by_role("link", name=re.compile("^Withdraw")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Withdraw: Request received"
    assert_accessible(page)


def test_the_team_and_service_pages(cased, page, live_app):
    sign_in_browser(page, live_app.url("/login"), "mo")
    page.goto(live_app.url("/team"))
    assert page.get_by_role("heading", level=1).inner_text() == "Team North"
    assert_accessible(page)
    screenshot(page, "team")
    page.get_by_role("button", name="Move their cases").click()  # nothing chosen
    assert page.title().startswith("Error: Team North")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="You have signed out").wait_for()
    sign_in_browser(page, live_app.url("/login"), "harriet")
    page.goto(live_app.url("/service"))
    assert page.get_by_role("heading", level=1).inner_text() == "The service"
    assert_accessible(page)


def _emailed_link(live_app, sink) -> str:
    """Tonight's sweep on the test's database, delivered to a real SMTP server; the link
    in the escalation about S-LATE."""
    settings = settings_for(sink, base_url=live_app.base)
    sweep.sweep_authority(live_app.engine, "E10000028", london_today(), settings)
    outbox.deliver(live_app.engine, "E10000028", settings, SmtpTransport.from_settings(settings))
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in sink.received
              if m["Subject"].startswith("S-LATE:")]
    assert bodies, f"no escalation about S-LATE among {sink.subjects()}"
    match = re.search(r"Open the case: (\S+)", bodies[0])
    assert match
    return match[1]


def test_an_emails_link_lands_on_the_case_and_deadline(cased, page, live_app, smtp_sink):  # noqa: F811
    link = _emailed_link(live_app, smtp_sink)
    assert link == live_app.url(f"/cases/S-LATE#{KEY}")
    page.goto(link)  # signed out: to the log-in page, then back to that very place
    assert "/login?next=" in page.url
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url == link
    assert page.evaluate("document.querySelector(':target').id") == KEY
    page.goto(live_app.url("/"))
    page.goto(link)  # signed in: straight there
    assert page.url == link
    assert page.locator(f"#{KEY}").is_visible()
    assert page.evaluate("document.querySelector(':target').id") == KEY
