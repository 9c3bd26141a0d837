"""Signing in and out through the real routes: success, failure, the rate limit, CSRF,
session expiry and rotation, log-out -- each on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from web_helpers import PASSWORD, csrf_of

from db.account_schema import WebSession
from db.schema import AuditEntry
from db.session import unit_of_work


def audit(engine, action):
    with unit_of_work(engine) as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                               .order_by(AuditEntry.id)).all()


def session_rows(engine):
    with unit_of_work(engine) as session:
        return session.scalars(select(WebSession)).all()


def test_a_page_needing_sign_in_redirects_to_the_log_in_page_and_back(web):
    client = web.client()
    response = client.get("/?tab=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/%3Ftab%3D1"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert 'name="next" value="/?tab=1"' in page.text
    signed = client.post("/login", data={"username": "alice", "password": PASSWORD,
                                         "next": "/?tab=1", "csrf_token": csrf_of(page.text)})
    assert signed.status_code == 303
    assert signed.headers["location"] == "/?tab=1"
    home = client.get("/")
    assert home.status_code == 200
    assert "Hello, alice" in home.text
    assert "Staffordshire County Council" in home.text


def test_log_in_sets_a_hardened_cookie_and_audits_who_and_where(web):
    client = web.client(address="10.1.2.3")
    response = web.sign_in(client, "alice")
    assert response.status_code == 303
    cookie = next(value for name, value in response.headers.multi_items()
                  if name == "set-cookie" and value.startswith("ehc_session="))
    attributes = cookie.lower()
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "max-age" not in attributes  # a browser-session cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    rows = session_rows(web.engine)
    assert len(rows) == 1
    assert token not in (rows[0].token_hash, rows[0].csrf_token)  # only its hash is stored
    entry = audit(web.engine, "login")[-1]
    assert (entry.actor, entry.detail["address"]) == ("alice", "10.1.2.3")
    assert entry.at == web.clock.now


def test_secure_settings_use_a_host_prefixed_secure_cookie_and_hsts(web):
    from web.settings import WebSettings

    web.settings = WebSettings(secure_cookies=True)
    client = web.client()
    response = web.sign_in(client, "alice")
    cookie = next(value for name, value in response.headers.multi_items()
                  if name == "set-cookie" and value.startswith("__Host-ehc_session="))
    assert "secure" in cookie.lower()
    assert "max-age=31536000" in client.get("/login").headers["strict-transport-security"]


def test_a_wrong_password_is_refused_with_the_error_beside_the_field_and_audited(web):
    client = web.client()
    response = web.sign_in(client, "alice", "not the password at all")
    assert response.status_code == 401
    assert "<title>Error: Sign in" in response.text
    assert 'class="govuk-error-summary"' in response.text
    assert 'href="#username"' in response.text
    assert 'id="username-error"' in response.text
    assert 'value="alice"' in response.text  # what was typed is kept ...
    assert "not the password at all" not in response.text  # ... but never the password
    assert client.get("/").status_code == 303
    entry = audit(web.engine, "login_failed")[-1]
    assert entry.actor == "alice"
    assert entry.detail["reason"] == "wrong password"
    assert "not the password at all" not in str(entry.detail)


def test_unknown_users_deactivated_accounts_and_wrong_passwords_get_the_same_answer(web):
    from services import accounts

    accounts.deactivate(web.engine, "mo", actor="root", now=web.clock.now)
    answers = set()
    for username, password in (("nobody", PASSWORD), ("mo", PASSWORD), ("alice", "wrong one")):
        response = web.sign_in(web.client(), username, password)
        assert response.status_code == 401
        answers.add(response.text.replace(f'value="{username}"', ""))
        answers = {text.split('name="csrf_token" value="')[0] for text in answers}
    assert len(answers) == 1
    reasons = [entry.detail["reason"] for entry in audit(web.engine, "login_failed")]
    assert reasons == ["unknown user", "account deactivated", "wrong password"]


def test_empty_fields_are_each_named(web):
    client = web.client()
    page = client.get("/login")
    response = client.post("/login", data={"username": "", "password": "",
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 400
    assert "Enter your username" in response.text
    assert "Enter your password" in response.text
    assert 'href="#password"' in response.text


def test_five_failures_lock_the_account_for_the_window_with_a_clear_wait(web):
    for _ in range(5):
        assert web.sign_in(web.client(), "alice", "wrong password!").status_code == 401
    web.clock.advance(minutes=3)
    refused = web.sign_in(web.client(), "alice")  # even the right password
    assert refused.status_code == 429
    assert "Too many attempts to sign in. Try again in 12 minutes." in refused.text
    assert audit(web.engine, "login_rate_limited")[-1].detail["minutes"] == 12
    assert web.sign_in(web.client(), "mo").status_code == 303  # other accounts unaffected
    web.clock.advance(minutes=12)
    assert web.sign_in(web.client(), "alice").status_code == 303


def test_blocked_attempts_do_not_extend_the_lock(web):
    for _ in range(5):
        web.sign_in(web.client(), "alice", "wrong password!")
    for _ in range(10):
        web.clock.advance(minutes=1)
        assert web.sign_in(web.client(), "alice", "wrong password!").status_code == 429
    web.clock.advance(minutes=5)
    assert web.sign_in(web.client(), "alice").status_code == 303


def test_a_success_resets_the_account_count(web):
    for _ in range(4):
        web.sign_in(web.client(), "alice", "wrong password!")
    assert web.sign_in(web.client(), "alice").status_code == 303
    for _ in range(4):
        assert web.sign_in(web.client(), "alice", "wrong password!").status_code == 401
    assert web.sign_in(web.client(), "alice").status_code == 303


def test_one_address_trying_many_accounts_is_limited_too(web):
    usernames = [f"guess{n}" for n in range(20)]
    for username in usernames:
        assert web.sign_in(web.client("10.9.9.9"), username, "x" * 12).status_code == 401
    refused = web.sign_in(web.client("10.9.9.9"), "alice")
    assert refused.status_code == 429
    assert "Try again in 15 minutes" in refused.text
    assert web.sign_in(web.client("10.0.0.1"), "alice").status_code == 303


def test_the_limit_holds_across_app_instances_sharing_the_database(web):
    for _ in range(5):
        web.sign_in(web.client(), "alice", "wrong password!")  # a new app each time
    assert web.sign_in(web.client(), "alice").status_code == 429


def test_a_post_without_the_right_csrf_token_is_refused(web):
    client = web.client()
    client.get("/login")
    for token in (None, "", "forged-token"):
        data = {"username": "alice", "password": PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        response = client.post("/login", data=data)
        assert response.status_code == 403
        assert "This form has expired" in response.text
    assert audit(web.engine, "login") == []
    web.sign_in(client, "alice")
    page = client.get("/")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303


def test_the_token_of_another_session_does_not_do(web):
    mallory, alice = web.client(), web.client()
    web.sign_in(mallory, "mo")
    web.sign_in(alice, "alice")
    mallory_token = csrf_of(mallory.get("/").text)
    assert alice.post("/logout", data={"csrf_token": mallory_token}).status_code == 403


def test_log_out_ends_the_session_on_the_server_and_audits_it(web):
    client = web.client()
    web.sign_in(client, "alice")
    cookie = client.cookies.get("ehc_session")
    token = csrf_of(client.get("/").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/signed-out"
    assert "You have signed out" in client.get("/signed-out").text
    assert session_rows(web.engine) == []
    replay = web.client()
    replay.cookies.set("ehc_session", cookie)
    assert replay.get("/").status_code == 303  # the old cookie is worthless
    assert audit(web.engine, "logout")[-1].actor == "alice"


def test_an_idle_session_ends(web):
    client = web.client()
    web.sign_in(client, "alice")
    web.clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    web.clock.advance(minutes=29)  # used 29 minutes ago: still alive
    assert client.get("/").status_code == 200
    web.clock.advance(minutes=30)
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?expired=1"
    assert "You were signed out because" in client.get(response.headers["location"]).text


def test_a_session_ends_at_its_absolute_expiry_however_busy(web):
    client = web.client()
    web.sign_in(client, "alice")
    for _ in range(11 * 4 + 3):  # a request every 15 minutes for 11 h 45 min
        web.clock.advance(minutes=15)
        assert client.get("/").status_code == 200
    web.clock.advance(minutes=15)
    assert client.get("/").status_code == 303


def session_cookie_set_by(response):
    return next(value.split(";")[0].split("=", 1)[1]
                for name, value in response.headers.multi_items()
                if name == "set-cookie" and value.startswith("ehc_session="))


def test_log_in_rotates_the_session_id(web):
    client = web.client()
    first = session_cookie_set_by(web.sign_in(client, "alice"))
    assert client.get("/login?next=/").status_code == 303  # signed in already: sent on
    # signing in again (someone else on a shared machine) replaces the session entirely
    again = client.post("/login", data={"username": "mo", "password": PASSWORD, "next": "/",
                                        "csrf_token": csrf_of(client.get("/").text)})
    second = session_cookie_set_by(again)
    assert second != first
    assert len(session_rows(web.engine)) == 1
    assert "Hello, mo" in client.get("/").text
    replay = web.client()
    replay.cookies.set("ehc_session", first)
    assert replay.get("/").status_code == 303


def test_a_password_change_or_deactivation_ends_every_session(web):
    from services import accounts

    client = web.client()
    web.sign_in(client, "alice")
    accounts.set_password(web.engine, "alice", "a brand new passphrase", actor="root",
                          now=web.clock.now)
    assert client.get("/").status_code == 303
    web.sign_in(client, "alice", "a brand new passphrase")
    assert client.get("/").status_code == 200
    accounts.deactivate(web.engine, "alice", actor="root", now=web.clock.now)
    assert client.get("/").status_code == 303


def test_only_paths_on_this_site_are_followed_after_log_in(web):
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = web.client()
        page = client.get("/login", params={"next": evil})
        response = client.post("/login", data={"username": "alice", "password": PASSWORD,
                                               "next": evil, "csrf_token": csrf_of(page.text)})
        assert response.headers["location"] == "/"
