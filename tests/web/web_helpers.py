"""What the web tests share besides fixtures: the browser's command line, axe-core, and
screenshots for the docs."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # the route tests' clock starts here
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "docs" / "screens"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the accessibility statement claims.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match[1]


def sign_in_browser(page: Any, login_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(login_url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from the npm lockfile) on the page as it is now. It is evaluated
    through the DevTools protocol, not added as a <script>, so the page's CSP stays on."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    summary = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [node["target"] for node in v["nodes"]]}
        for v in violations
    ]
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n" + \
        json.dumps(summary, indent=2)


def screenshot(page: Any, name: str) -> Path:
    """A full-page PNG of the page as it is now, at docs/screens/<name>.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Cases on the route tests' day (START, 3 December 2026), by how their decision whether to
# assess (6 weeks from the request) stands: breached, due soon (within 10 working days),
# on track; and one of another authority's.
CASES = {
    "S-LATE": ("alice", "E10000028", "2026-10-01"),  # due 12 November: overdue 21 days
    "S-SOON": ("alice", "E10000028", "2026-10-29"),  # due 10 December: due soon
    "S-FINE": ("alice", "E10000028", "2026-11-26"),  # due 7 January: on track
    "S-BOB": ("bob", "E10000028", "2026-11-02"),
    "S-CAROL": ("carol", "E10000028", "2026-11-03"),
    "H-DAVE": ("dave", "E06000001", "2026-10-01"),
}


def open_cases(engine: Any) -> None:
    from services import cases

    for reference, (worker, la, received) in CASES.items():
        cases.open_case(engine, reference, process="assessment", caseworker=worker,
                        la_code=la, actor="setup")
        cases.record_events(engine, reference, [
            {"type": "request_received", "date": received, "id": f"{reference}-request"}],
            recorded_by="setup", as_of=START.date())
