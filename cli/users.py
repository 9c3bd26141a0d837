"""``ehc staff user ...``: the accounts people sign in to the web application with.

A password is never taken from the command line (it would sit in the shell's history and
in ``ps``): ``ehc staff user password`` prompts for it twice on a terminal, or reads one
line from standard input when piped (``printf '%s\\n' "$PW" | ehc staff user password x``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from cli.common import actor, add_user_option, fail, guarded, runtime, store

# The values of services.accounts.Role (not imported here: `ehc staff --help` stays light).
ROLES = "caseworker, team_manager, head_of_service or administrator"


def register(staff_commands: Any) -> None:
    """Add ``user`` and its actions under ``ehc staff``."""
    user = staff_commands.add_parser("user", help="web accounts: add, password, role, deactivate")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add an account (set its password next)")
    add.add_argument("username")
    add.add_argument("--la", required=True, help="the local authority's code")
    add.add_argument("--role", required=True, help=ROLES)
    _placement_options(add)
    add_user_option(add)
    add.set_defaults(handler=guarded(add_user))

    password = actions.add_parser(
        "password", help="set a password (prompted twice, or one line on stdin)")
    password.add_argument("username")
    add_user_option(password)
    password.set_defaults(handler=guarded(set_password))

    role = actions.add_parser("role", help="change an account's role (its sessions end)")
    role.add_argument("username")
    role.add_argument("role", help=ROLES)
    _placement_options(role)
    add_user_option(role)
    role.set_defaults(handler=guarded(set_role))

    deactivate = actions.add_parser("deactivate", help="stop an account signing in")
    deactivate.add_argument("username")
    add_user_option(deactivate)
    deactivate.set_defaults(handler=guarded(deactivate_user))


def _placement_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--caseworker", help="for a caseworker: their caseworker username")
    parser.add_argument("--team", help="for a team manager: the team's name")


def add_user(args: argparse.Namespace) -> int:
    from services import accounts

    account = accounts.create_user(
        store(), args.username, la_code=args.la, role=args.role,
        caseworker=args.caseworker, team=args.team, actor=actor(args), now=runtime().now())
    print(f"added {account.role.value} {account.username} in {account.la_code}; "
          f"set a password with `ehc staff user password {account.username}`")
    return 0


def set_password(args: argparse.Namespace) -> int:
    from services import accounts

    accounts.get_account(store(), args.username)  # unknown user: say so before asking
    password = _read_password()
    if password is None:
        return fail("the two passwords are not the same: nothing was changed")
    accounts.set_password(store(), args.username, password, actor=actor(args),
                          now=runtime().now())
    print(f"password set for {args.username}; any sessions they had have ended")
    return 0


def set_role(args: argparse.Namespace) -> int:
    from services import accounts

    account = accounts.set_role(
        store(), args.username, args.role, caseworker=args.caseworker, team=args.team,
        actor=actor(args), now=runtime().now())
    print(f"{account.username} is now {account.role.value}; any sessions they had have ended")
    return 0


def deactivate_user(args: argparse.Namespace) -> int:
    from services import accounts

    accounts.deactivate(store(), args.username, actor=actor(args), now=runtime().now())
    print(f"deactivated {args.username}: they can no longer sign in")
    return 0


def _read_password() -> str | None:
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        second = getpass.getpass("Same password again: ")
        return first if first == second else None
    return sys.stdin.readline().rstrip("\r\n")
