"""What the case-store commands share: exit codes, error reporting, argument types, output.

Exit codes: 0 done; 1 refused (unknown case/caseworker, an event the engine refuses, an
import with problems; nothing written); 2 bad command line (argparse); 3 the case changed
under you (reload and retry); 4 the database is locked, down or not set up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console

from db.errors import CaseChanged, DatabaseUnavailable, ImportRejected, StoreError
from services.errors import Conflict, InvalidInput, ServiceError, Unavailable

EXIT_REFUSED = 1
EXIT_CASE_CHANGED = 3
EXIT_DATABASE = 4

Handler = Callable[[argparse.Namespace], int]


def guarded(handler: Handler) -> Handler:
    """Run ``handler``, turning store errors into a message on stderr and an exit code."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ImportRejected as exc:
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return fail(str(exc), EXIT_REFUSED)
        except CaseChanged as exc:
            return fail(str(exc), EXIT_CASE_CHANGED)
        except DatabaseUnavailable as exc:
            return fail(str(exc), EXIT_DATABASE)
        except StoreError as exc:
            return fail(str(exc), EXIT_REFUSED)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def serviced(handler: Handler) -> Handler:
    """Run ``handler`` (a shell over ``services``), turning service errors into a message on
    stderr and an exit code (2 bad input, 3 conflict, 4 database, 1 anything else)."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except InvalidInput as exc:
            return fail(str(exc), 2)
        except Conflict as exc:
            return fail(str(exc), EXIT_CASE_CHANGED)
        except Unavailable as exc:
            return fail(str(exc), EXIT_DATABASE)
        except ServiceError as exc:
            return fail(str(exc), EXIT_REFUSED)

    run.__name__ = handler.__name__
    return run


def fail(message: str, code: int = EXIT_REFUSED) -> int:
    print(f"ehc: error: {message}", file=sys.stderr)
    return code


def actor(args: argparse.Namespace) -> str:
    """Who is recording: ``--user``, else ``EHC_USER``, else the login name."""
    given: str | None = getattr(args, "user", None)
    return given or os.environ.get("EHC_USER") or getpass.getuser()


def add_user_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user", help="who is recording this (default: $EHC_USER, else your login name)"
    )


def iso_date(value: str) -> dt.date:
    """argparse type: a YYYY-MM-DD date, with the reason when it is not one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise argparse.ArgumentTypeError(f"malformed date {value!r}: expected YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"malformed date {value!r}: {exc}") from None


def period_days(value: str) -> int:
    """argparse type: ``10d`` (days), ``2w`` (weeks) or a bare number of days."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([dw]?)\s*", value.lower())
    if not match:
        raise argparse.ArgumentTypeError(f"malformed period {value!r}: expected e.g. 10d or 2w")
    return int(match[1]) * (7 if match[2] == "w" else 1)


def field_value(raw: str) -> tuple[str, Any]:
    """argparse type for ``--field k=v``: JSON when ``v`` starts with ``[`` or ``{``."""
    name, sep, value = raw.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"malformed field {raw!r}: expected name=value")
    if value[:1] in ("[", "{"):
        try:
            return name.strip(), json.loads(value)
        except json.JSONDecodeError as exc:
            raise argparse.ArgumentTypeError(f"field {name}: not valid JSON ({exc.msg})") from None
    return name.strip(), value


def console() -> Console:
    """Coloured on a terminal, plain (and wide enough not to wrap) when piped."""
    out = Console(highlight=False, markup=False, soft_wrap=False)
    if not out.is_terminal:
        out = Console(highlight=False, markup=False, width=200)
    return out
