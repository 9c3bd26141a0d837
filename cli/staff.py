"""``ehc staff ...``: the local authorities, teams and caseworkers cases belong to."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from cli import users
from cli.common import actor, add_user_option, guarded
from db import directory
from db.schema import Caseworker, LocalAuthority, Team
from db.session import unit_of_work


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

    listing = commands.add_parser("list", help="everyone, by local authority and team")
    listing.set_defaults(handler=guarded(list_staff))

    users.register(commands)  # ehc staff user ...: web accounts (cli/users.py)


def add_la(args: argparse.Namespace) -> int:
    with unit_of_work(write=True) as session:
        directory.add_la(
            session, args.code, args.name, actor=actor(args),
            head_of_service_name=args.head_name, head_of_service_email=args.head_email,
        )
    print(f"added local authority {args.code} {args.name}")
    return 0


def add_team(args: argparse.Namespace) -> int:
    with unit_of_work(write=True) as session:
        directory.add_team(
            session, args.la, args.name, actor=actor(args),
            manager_name=args.manager_name, manager_email=args.manager_email,
        )
    print(f"added team {args.name} to {args.la}")
    return 0


def add_caseworker(args: argparse.Namespace) -> int:
    with unit_of_work(write=True) as session:
        directory.add_caseworker(
            session, args.username, args.name, team=args.team, la_code=args.la,
            email=args.email, actor=actor(args),
        )
    print(f"added caseworker {args.username} to team {args.team}")
    return 0


def list_staff(args: argparse.Namespace) -> int:
    query = (
        select(LocalAuthority.code, LocalAuthority.name, Team.name, Team.manager_name,
               Caseworker.username, Caseworker.name)
        .join(Team, Team.la_id == LocalAuthority.id, isouter=True)
        .join(Caseworker, Caseworker.team_id == Team.id, isouter=True)
        .order_by(LocalAuthority.code, Team.name, Caseworker.username)
    )
    with unit_of_work() as session:
        rows = session.execute(query).all()
    for code, la_name, team, manager, username, name in rows:
        team_part = f" / {team} (manager {manager or '-'})" if team else ""
        worker_part = f" / {username} {name}" if username else ""
        print(f"{code} {la_name}{team_part}{worker_part}")
    return 0
