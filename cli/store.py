"""``ehc init``, ``export``, ``rebuild-projections`` and ``calendar load`` (``ehc import``
is ``cli.onboarding``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import actor, add_user_option, guarded, progress, runtime, store


def register(subparsers: Any) -> None:
    init = subparsers.add_parser("init", help="create or upgrade the case database")
    init.set_defaults(handler=guarded(init_database))

    dump = subparsers.add_parser("export", help="write case histories as re-importable JSON")
    dump.add_argument("--case", help="only this case reference")
    dump.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    dump.set_defaults(handler=guarded(export_file))

    rebuild = subparsers.add_parser(
        "rebuild-projections", help="re-derive every case's deadlines from its event log"
    )
    add_user_option(rebuild)
    rebuild.set_defaults(handler=guarded(rebuild_projections))

    calendar = subparsers.add_parser("calendar", help="local authority calendar data")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    calendar_load = calendar_commands.add_parser(
        "load", help="store an LA's calendar file and re-project its cases (audited)"
    )
    calendar_load.add_argument("file", type=Path, help="YAML as in docs/calendar-format.md")
    add_user_option(calendar_load)
    calendar_load.set_defaults(handler=guarded(calendar_load_file))


def init_database(args: argparse.Namespace) -> int:
    from services.store import init_database

    rt = runtime()
    done = init_database(rt.owner_engine, app_url=rt.settings.resolved_database_url)
    state = ("already up to date" if done.before == done.after
             else f"upgraded {done.before or 'empty'} -> {done.after}")
    print(f"database {done.where}: {state}")
    if done.stages_filled:
        print(f"  projected the stage of {done.stages_filled} existing cases")
    if done.grant is not None:
        grant = done.grant
        print(f"application role {grant.role}{' (created)' if grant.created else ''}: "
              f"SELECT, INSERT only on {', '.join(grant.append_only)}; "
              f"SELECT, INSERT, UPDATE, DELETE on {len(grant.read_write)} other tables")
    return 0


def export_file(args: argparse.Namespace) -> int:
    import json

    from services.store import export

    with progress("Exporting cases") as advance:
        document = export(store(), args.case, progress=advance)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"exported {len(document['cases'])} cases to {args.output}", file=sys.stderr)
    return 0


def rebuild_projections(args: argparse.Namespace) -> int:
    from services.store import rebuild_projections

    with progress("Re-projecting cases") as advance:
        report = rebuild_projections(store(), actor=actor(args), progress=advance)
    print(f"re-projected {report.cases} cases; deadlines changed in {len(report.changed)}")
    for reference, reason in sorted(report.failed.items()):
        print(f"  {reference}: kept its old deadlines: {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def calendar_load_file(args: argparse.Namespace) -> int:
    from services.store import load_calendar

    with progress("Re-projecting cases") as advance:
        result = load_calendar(store(), args.file, actor=actor(args), progress=advance)
    if result.unchanged:
        print(f"{result.la_code}: calendar unchanged (version {result.version})")
        return 0
    report = result.reprojection
    moved = sum(len(changes) for changes in report.changed.values())
    print(
        f"{result.la_code}: calendar version {result.version} loaded; {report.cases} cases "
        f"re-projected, {moved} deadlines changed in {len(report.changed)} cases (audited)"
    )
    for reference, changes in sorted(report.changed.items()):
        for change in changes:
            print(f"  {reference} {change.key} [{change.instance}]: "
                  f"{change.old_due} -> {change.new_due}")
    for reference, reason in sorted(report.failed.items()):
        print(f"  {reference}: kept its old deadlines: {reason}", file=sys.stderr)
    return 0
