"""``ehc person set|show REF``: the child's protected person record (SEN2 items).

Only staff of the case's authority (``--user``, else ``$EHC_USER``) may see or change it.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import actor, add_user_option, field_value, guarded, store


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
    setter.set_defaults(handler=guarded(set_fields))
    shower = commands.add_parser("show", help="show the record (staff of its authority only)")
    shower.add_argument("reference")
    add_user_option(shower)
    shower.set_defaults(handler=guarded(show))


def set_fields(args: argparse.Namespace) -> int:
    from services.person import set_person

    view = set_person(store(), args.reference, dict(args.fields), actor=actor(args))
    print(f"person record of {view.reference} updated: {', '.join(n for n, _ in args.fields)}")
    return 0


def show(args: argparse.Namespace) -> int:
    from services.person import show_person

    view = show_person(store(), args.reference, viewer=actor(args))
    if view.record is None:
        print(f"{view.reference}: no person record yet (ehc person set {view.reference} ...)")
        return 0
    for name, value in view.record.model_dump(mode="json", exclude_defaults=True).items():
        print(f"{name}: {value}")
    return 0
