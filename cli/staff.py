"""``ehc staff ...``: the local authorities, teams and caseworkers cases belong to."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import actor, add_user_option, guarded, store


def register(subparsers: Any) -> None:
    staff = subparsers.add_parser("staff", help="local authorities, teams and caseworkers")
    commands = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")

    la = commands.add_parser("la", help="add a local authority")
    la.add_argument("code", help="ONS code, e.g. E10000028")
    la.add_argument("--name", required=True)
    la.add_argument("--head-name", help="head of service (top of the escalation ladder)")
    la.add_argument("--head-email")
    add_user_option(la)
    la.set_defaults(handler=guarded(add_la))

    team = commands.add_parser("team", help="add a team to a local authority")
    team.add_argument("name")
    team.add_argument("--la", required=True)
    team.add_argument("--manager-name")
    team.add_argument("--manager-email")
    add_user_option(team)
    team.set_defaults(handler=guarded(add_team))

    worker = commands.add_parser("caseworker", help="add a caseworker to a team")
    worker.add_argument("username")
    worker.add_argument("--name", required=True)
    worker.add_argument("--email")
    worker.add_argument("--team", required=True)
    worker.add_argument("--la", help="the team's LA, when team names repeat across LAs")
    add_user_option(worker)
    worker.set_defaults(handler=guarded(add_caseworker))

    leave = commands.add_parser(
        "leave", help="a caseworker leaves: move all their cases to someone else")
    leave.add_argument("username")
    leave.add_argument("--to", required=True, metavar="USERNAME", help="who takes the cases")
    add_user_option(leave)
    leave.set_defaults(handler=guarded(caseworker_leaves))

    listing = commands.add_parser("list", help="everyone, by local authority and team")
    listing.set_defaults(handler=guarded(list_staff))

    from cli import users

    users.register(commands)  # ehc staff user ...: web accounts (cli/users.py)


def add_la(args: argparse.Namespace) -> int:
    from services.staff import add_la

    add_la(store(), args.code, args.name, actor=actor(args), head_name=args.head_name,
           head_email=args.head_email)
    print(f"added local authority {args.code} {args.name}")
    return 0


def add_team(args: argparse.Namespace) -> int:
    from services.staff import add_team

    add_team(store(), args.la, args.name, actor=actor(args), manager_name=args.manager_name,
             manager_email=args.manager_email)
    print(f"added team {args.name} to {args.la}")
    return 0


def add_caseworker(args: argparse.Namespace) -> int:
    from services.staff import add_caseworker

    add_caseworker(store(), args.username, args.name, team=args.team, la_code=args.la,
                   email=args.email, actor=actor(args))
    print(f"added caseworker {args.username} to team {args.team}")
    return 0


def caseworker_leaves(args: argparse.Namespace) -> int:
    from services.staff import caseworker_leaves

    done = caseworker_leaves(store(), args.username, args.to, actor=actor(args))
    print(f"{done.username} has left; {len(done.moved)} case{'s' if len(done.moved) != 1 else ''}"
          f" moved to {done.successor}")
    for reference in done.moved:
        print(f"  {reference}")
    return 0


def list_staff(args: argparse.Namespace) -> int:
    from services.staff import list_staff

    for line in list_staff(store()):
        team_part = f" / {line.team} (manager {line.manager or '-'})" if line.team else ""
        worker_part = f" / {line.username} {line.name}" if line.username else ""
        left = " (left)" if line.left else ""
        print(f"{line.la_code} {line.la_name}{team_part}{worker_part}{left}")
    return 0
