"""``services.accounts``: creating, changing and deactivating accounts, each audited with
who and when and never the password; and the ``ehc staff user`` commands over them."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from web_helpers import START

from cli.main import main
from db.account_schema import User
from db.schema import AuditEntry
from db.session import unit_of_work
from services import accounts, errors

POLICY = accounts.AccountPolicy()


def audit(engine):
    with unit_of_work(engine) as session:
        return session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def stored(engine, username):
    with unit_of_work(engine) as session:
        return session.scalars(select(User).where(User.username == username)).one()


def test_a_new_account_cannot_sign_in_until_it_has_a_password(staffed):
    created = accounts.create_user(staffed, "alice", la_code="E10000028", role="caseworker",
                                   caseworker="alice", actor="root", now=START)
    assert (created.role, created.team, created.la_name) == (
        accounts.Role.CASEWORKER, "North", "Staffordshire County Council")
    with pytest.raises(accounts.WrongCredentials):
        accounts.authenticate(staffed, "alice", "", address="1.1.1.1", now=START,
                              policy=POLICY)
    accounts.set_password(staffed, "alice", "twelve chars ok", actor="root", now=START)
    signed = accounts.authenticate(staffed, "alice", "twelve chars ok", address="1.1.1.1",
                                   now=START, policy=POLICY)
    assert signed.username == "alice"


def test_the_password_is_stored_only_as_an_argon2id_hash_and_never_audited(staffed):
    accounts.create_user(staffed, "harriet", la_code="E10000028", role="head_of_service",
                         actor="root", now=START)
    accounts.set_password(staffed, "harriet", "my secret passphrase", actor="root", now=START)
    row = stored(staffed, "harriet")
    assert row.password_hash.startswith("$argon2id$")
    assert "my secret passphrase" not in row.password_hash
    entries = audit(staffed)
    assert [e.action for e in entries][-2:] == ["user_added", "user_password_set"]
    assert all("my secret passphrase" not in str(e.detail) for e in entries)
    assert entries[-1].actor == "root"
    assert entries[-1].at == START


@pytest.mark.parametrize(("password", "why"), [
    ("short pass", "at least 12"), ("x" * 129, "at most 128"), ("HARRIET     ", "the username"),
])
def test_weak_passwords_are_refused_with_the_reason(staffed, password, why):
    accounts.create_user(staffed, "harriet", la_code="E10000028", role="head_of_service",
                         actor="root", now=START)
    with pytest.raises(errors.InvalidInput, match=why):
        accounts.set_password(staffed, "harriet", password, actor="root", now=START)
    assert stored(staffed, "harriet").password_hash is None


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"role": "boss"}, errors.InvalidInput, "unknown role 'boss'"),
    ({"role": "caseworker"}, errors.InvalidInput, "needs --caseworker"),
    ({"role": "caseworker", "caseworker": "dave"}, errors.Refused, "another authority"),
    ({"role": "caseworker", "caseworker": "zed"}, errors.NotFound, "unknown caseworker"),
    ({"role": "team_manager"}, errors.InvalidInput, "needs --team"),
    ({"role": "team_manager", "team": "Central"}, errors.NotFound, "unknown team 'Central'"),
    ({"role": "head_of_service", "team": "North"}, errors.InvalidInput, "whole authority"),
    ({"role": "administrator", "la_code": "E99"}, errors.NotFound, "unknown local authority"),
])
def test_accounts_must_fit_the_authority_and_the_role(staffed, kwargs, error, message):
    values = {"la_code": "E10000028", **kwargs}
    with pytest.raises(error, match=message):
        accounts.create_user(staffed, "x1", actor="root", now=START, **values)
    with unit_of_work(staffed) as session:
        assert session.scalars(select(User)).all() == []


def test_usernames_are_unique_and_well_formed(staffed):
    accounts.create_user(staffed, "mo", la_code="E10000028", role="team_manager",
                         team="North", actor="root", now=START)
    with pytest.raises(errors.Refused, match="already exists"):
        accounts.create_user(staffed, "mo", la_code="E10000028", role="administrator",
                             actor="root", now=START)
    with pytest.raises(errors.InvalidInput, match="malformed username"):
        accounts.create_user(staffed, "mo <script>", la_code="E10000028",
                             role="administrator", actor="root", now=START)


def test_a_role_change_is_audited_with_the_previous_role(staffed):
    accounts.create_user(staffed, "carol", la_code="E10000028", role="caseworker",
                         caseworker="carol", actor="root", now=START)
    changed = accounts.set_role(staffed, "carol", "team_manager", team="South", actor="root",
                                now=START)
    assert (changed.role, changed.team, changed.caseworker) == (
        accounts.Role.TEAM_MANAGER, "South", None)
    entry = audit(staffed)[-1]
    assert (entry.action, entry.detail["previous_role"], entry.detail["role"]) == (
        "user_role_set", "caseworker", "team_manager")


def test_unknown_users_are_named(staffed):
    for call in (lambda: accounts.deactivate(staffed, "ghost", actor="r", now=START),
                 lambda: accounts.set_role(staffed, "ghost", "administrator", actor="r",
                                           now=START),
                 lambda: accounts.set_password(staffed, "ghost", "long enough pw", actor="r",
                                               now=START)):
        with pytest.raises(errors.NotFound, match="unknown user 'ghost'"):
            call()


# --- ehc staff user ... --------------------------------------------------------------------


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_staff_user_commands(staffed_env, staffed, capsys, monkeypatch):
    code, out, _ = run(capsys, "staff", "user", "add", "mo", "--la", "E10000028", "--role",
                       "team_manager", "--team", "North", "--user", "root")
    assert code == 0
    assert "added team_manager mo in E10000028" in out
    code, out, _ = run(capsys, "staff", "user", "password", "mo", "--user", "root",
                       stdin="a long passphrase\n", monkeypatch=monkeypatch)
    assert code == 0
    assert "password set for mo" in out
    assert accounts.authenticate(staffed, "mo", "a long passphrase", address="1.1.1.1",
                                 now=START, policy=POLICY).role is accounts.Role.TEAM_MANAGER
    code, out, _ = run(capsys, "staff", "user", "role", "mo", "head_of_service")
    assert code == 0
    assert "mo is now head_of_service" in out
    code, out, _ = run(capsys, "staff", "user", "deactivate", "mo")
    assert code == 0
    assert "can no longer sign in" in out
    with pytest.raises(accounts.WrongCredentials):
        accounts.authenticate(staffed, "mo", "a long passphrase", address="1.1.1.1",
                              now=START, policy=POLICY)
    actions = [(e.actor, e.action) for e in audit(staffed) if e.action.startswith("user_")]
    assert actions[:2] == [("root", "user_added"), ("root", "user_password_set")]
    assert [a for _, a in actions[2:]] == ["user_role_set", "user_deactivated"]
    assert audit(staffed)[-1].action == "login_failed"


def test_the_commands_refuse_with_a_message_and_an_exit_code(staffed_env, capsys, monkeypatch):
    code, _, err = run(capsys, "staff", "user", "add", "x", "--la", "E10000028", "--role",
                       "wizard")
    assert code == 2  # bad input
    assert "unknown role 'wizard'" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "staff", "user", "password", "nobody", stdin="irrelevant pw\n",
                       monkeypatch=monkeypatch)
    assert code == 1
    assert "unknown user 'nobody'" in err
    run(capsys, "staff", "user", "add", "h", "--la", "E10000028", "--role", "head_of_service")
    code, _, err = run(capsys, "staff", "user", "password", "h", stdin="short\n",
                       monkeypatch=monkeypatch)
    assert code == 2
    assert "at least 12 characters" in err


def test_there_is_no_way_to_give_a_password_on_the_command_line(staffed_env, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["staff", "user", "password", "h", "--password", "x"])
    assert exited.value.code == 2


def test_on_a_terminal_the_password_is_asked_twice(staffed_env, staffed, capsys, monkeypatch):
    run(capsys, "staff", "user", "add", "h", "--la", "E10000028", "--role", "head_of_service")
    answers = iter(["first passphrase", "second passphrase"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    code, _, err = run(capsys, "staff", "user", "password", "h")
    assert code == 1
    assert "not the same" in err
    assert stored(staffed, "h").password_hash is None
