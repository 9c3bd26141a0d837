"""The web application's fixtures: accounts in a staffed database (both backends), a
route-test client on a clock the test can move, and -- for the browser tests -- the real
app under uvicorn on a free port, a headless Chromium, and a signed-in page.

Route tests::

    def test_x(web):                      # web: WebHarness over the staffed database
        client = web.client()             # starlette TestClient (http://127.0.0.1)
        web.sign_in(client, "alice")      # as alice (caseworker, Staffordshire)
        web.clock.advance(minutes=31)     # time passes for the app's sessions

Browser tests::

    def test_y(signed_in_page, live_app):
        signed_in_page.goto(live_app.url("/"))
        assert_accessible(signed_in_page)        # axe-core, zero violations
        screenshot(signed_in_page, "home")       # docs/screens/home.png
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from starlette.testclient import TestClient
from web_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    START,
    csrf_of,
    free_port,
    open_cases,
    sign_in_browser,
)

from services import accounts
from web.app import create_app
from web.settings import WebSettings

# username: (role, local authority, caseworker, team); staff from tests/conftest.seed_staff
ACCOUNTS = {
    "alice": ("caseworker", "E10000028", "alice", None),
    "mo": ("team_manager", "E10000028", None, "North"),
    "harriet": ("head_of_service", "E10000028", None, None),
    "root": ("administrator", "E10000028", None, None),
    "dave": ("caseworker", "E06000001", "dave", None),
}


@dataclass
class Clock:
    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def add_accounts(engine: Engine, now: dt.datetime = START) -> None:
    for username, (role, la, caseworker, team) in ACCOUNTS.items():
        accounts.create_user(engine, username, la_code=la, role=role, caseworker=caseworker,
                             team=team, actor="setup", now=now)
        accounts.set_password(engine, username, PASSWORD, actor="setup", now=now)


@dataclass
class WebHarness:
    engine: Engine
    clock: Clock = field(default_factory=Clock)
    settings: WebSettings = field(default_factory=lambda: WebSettings(secure_cookies=False))

    _apps: dict[WebSettings, object] = field(default_factory=dict)

    def app(self):
        if self.settings not in self._apps:
            self._apps[self.settings] = create_app(self.engine, self.settings, clock=self.clock)
        return self._apps[self.settings]

    def client(self, address: str = "testclient") -> TestClient:
        scheme = "https" if self.settings.secure_cookies else "http"
        return TestClient(self.app(), base_url=f"{scheme}://127.0.0.1",
                          follow_redirects=False, client=(address, 50000))

    def sign_in(self, client: TestClient, username: str, password: str = PASSWORD):
        page = client.get("/login")
        return client.post("/login", data={
            "username": username, "password": password, "next": "/",
            "csrf_token": csrf_of(page.text),
        })


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, at the lowest cost the library allows (the default's 0.1 s per hash
    would dominate a suite that signs in hundreds of times)."""
    monkeypatch.setattr(accounts, "_HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def accounts_db(staffed: Engine) -> Engine:
    """The staffed database with an account per role (password ``PASSWORD``)."""
    add_accounts(staffed)
    return staffed


@pytest.fixture
def web(accounts_db: Engine) -> WebHarness:
    return WebHarness(accounts_db)


@pytest.fixture
def cased(web: WebHarness) -> WebHarness:
    """``web`` with the cases of ``web_helpers.CASES`` (alice's late, due-soon and on-track
    ones, bob's, carol's, and dave's in Hartlepool)."""
    open_cases(web.engine)
    return web


# --- the real app in a real browser --------------------------------------------------------


@dataclass
class LiveApp:
    base: str
    engine: Engine

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def live_app(accounts_db: Engine) -> Iterator[LiveApp]:
    """The app served by uvicorn on a free 127.0.0.1 port, on the test's database."""
    import uvicorn

    port = free_port()
    app = create_app(accounts_db, WebSettings(secure_cookies=False))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 20 s"
        time.sleep(0.02)
    try:
        yield LiveApp(f"http://127.0.0.1:{port}", accounts_db)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium under Playwright (never a downloaded browser)."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (scripts/test does "
                    "it when run as root)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) and page. Fails the test if the page throws,
    the Content-Security-Policy blocks anything, or a stylesheet, script or image fails
    to load (a page's own 4xx status is the test's business)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    new_page = context.new_page()
    problems: list[str] = []
    new_page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    new_page.on("console", lambda msg: problems.append(msg.text)
                if "Content Security Policy" in msg.text else None)
    # A load the page itself abandoned by navigating on (a favicon fetch cut short by a
    # redirect) is not a failed asset; anything else is.
    new_page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}")
                if "ERR_ABORTED" not in (request.failure or "") else None)
    new_page.on("response", lambda response: problems.append(
        f"{response.status}: {response.url}")
        if response.status >= 400 and response.request.resource_type != "document" else None)
    yield new_page
    context.close()
    assert not problems, f"the browser reported problems: {problems}"


@pytest.fixture
def signed_in_page(page, live_app):
    """``page`` signed in as alice (caseworker, Staffordshire) through the real form."""
    sign_in_browser(page, live_app.url("/login"), "alice")
    return page
