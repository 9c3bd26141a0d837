"""The ``ehc`` command: one entry point, sub-commands registered by small modules.

Each module in ``COMMANDS`` exposes ``register(subparsers)``, adding its sub-commands with
``set_defaults(handler=...)``; a handler takes the parsed arguments and returns the exit
code. Only the module of the command being run is imported (``ehc --help`` lists the
commands from the table below and imports none of them), and handlers import the services
they call, so start-up pays only for what the command uses.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# command -> (module that registers it, one line of help for ``ehc --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "timeline": ("cli.timeline", "print a case's events and deadlines in date order"),
    "init": ("cli.store", "create or upgrade the case database"),
    "import": ("cli.onboarding", "import case histories, a council's caseload workbook "
               "(--mapping) or its SEN2 return (--sen2), all or nothing"),
    "export": ("cli.store", "write case histories as re-importable JSON"),
    "rebuild-projections": ("cli.store", "re-derive every case's deadlines from its event log"),
    "calendar": ("cli.store", "local authority calendar data"),
    "staff": ("cli.staff", "local authorities, teams and caseworkers"),
    "case": ("cli.cases", "open, show, list, reassign or close cases"),
    "event": ("cli.cases", "record events"),
    "due": ("cli.worklist", "deadlines overdue or due soon, overdue first (the morning "
            "worklist)"),
    "outbox": ("cli.outbox", "who was told about a case, when, and did it go; `outbox "
               "retry` requeues"),
    "verify": ("cli.verify", "check the event log (sequence, hash chain) and the deadlines "
               "projection; changes nothing"),
    "sweep": ("cli.sweep", "decide and send tonight's escalation emails (the overnight flow)"),
    "digest": ("cli.sweep", "send today's digests to caseworkers and team managers"),
    "smtp-sink": ("cli.sweep", "a local SMTP server on 127.0.0.1 that keeps what it receives"),
    "timeliness": ("cli.timeliness", "timeliness figures (6-week decisions, 20-week plans...) "
                   "for a period"),
    "report": ("cli.report", "timeliness report (table, CSV, JSON, XLSX), committee charts, "
               "the SEN2 return"),
    "person": ("cli.person", "a child's protected person record (SEN2 items)"),
    "demo": ("cli.demo", "build a realistic demo local authority in the database"),
    "serve": ("cli.serve", "run the web application (caseworkers' and managers' pages)"),
    "family-link": ("cli.links", "links a family opens to see their case (create, list, revoke)"),
    "feed": ("cli.links", "iCalendar feeds of deadlines (create, list, revoke)"),
    "api-token": ("cli.links", "other systems' JSON API tokens (create, list, revoke)"),
}
DESCRIPTION = "Statutory EHC timescales for a local authority's SEND team."


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser for ``command`` (its module's commands), or -- with no known
    command -- the summary parser that lists them all."""
    parser = argparse.ArgumentParser(prog="ehc", description=DESCRIPTION)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if command in COMMANDS:
        importlib.import_module(COMMANDS[command][0]).register(subparsers)
    else:
        for name, (_, summary) in COMMANDS.items():
            subparsers.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from cli.common import reset_runtime

    words = list(sys.argv[1:] if argv is None else argv)
    command = next((word for word in words if not word.startswith("-")), None)
    args = build_parser(command).parse_args(words)
    reset_runtime()  # a new command reads the settings afresh
    try:
        code: int = args.handler(args)
    except BrokenPipeError:
        # `ehc timeline ... | head`: the reader has gone; that is not an error.
        sys.stdout = open(os.devnull, "w")  # so the interpreter's final flush cannot fail
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
