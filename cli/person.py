"""``ehc person set|show REF``: the child's protected person record (SEN2 items).

Only staff of the case's authority (``--user``, else ``$EHC_USER``) may see or change it.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import actor, add_user_option, field_value, serviced
from db.session import unit_of_work
from services.person import PersonView, set_person, show_person


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("person", help="the child's protected person record")
    commands = parser.add_subparsers(dest="person", required=True, metavar="ACTION")
    setter = commands.add_parser("set", help="record or change person fields")
    setter.add_argument("reference")
    setter.add_argument("--field", dest="fields", action="append", type=field_value,
                        default=[], metavar="NAME=VALUE",
                        help="e.g. forename=Sam, birth_date=2015-03-01, sen_needs='[\"ASD\"]', "
                             "placements='[{\"urn\": \"123456\"}]'; an empty value clears it")
    add_user_option(setter)
    setter.set_defaults(handler=serviced(set_fields))
    shower = commands.add_parser("show", help="show the record (staff of its authority only)")
    shower.add_argument("reference")
    add_user_option(shower)
    shower.set_defaults(handler=serviced(show))


def set_fields(args: argparse.Namespace) -> int:
    with unit_of_work(write=True) as session:
        view = set_person(session, args.reference, dict(args.fields), actor=actor(args))
    print(f"person record of {view.reference} updated: {', '.join(n for n, _ in args.fields)}")
    return 0


def show(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        view = show_person(session, args.reference, viewer=actor(args))
    _print(view)
    return 0


def _print(view: PersonView) -> None:
    if view.record is None:
        print(f"{view.reference}: no person record yet (ehc person set {view.reference} ...)")
        return
    for name, value in view.record.model_dump(mode="json", exclude_defaults=True).items():
        print(f"{name}: {value}")
