"""What the ``ehc`` commands share: exit codes, error reporting, argument types, output.

Exit codes: 0 done; 1 refused on the merits (unknown case or caseworker, an event the
rules refuse, an import with problems; nothing written); 2 bad input (the command line,
a setting, a malformed value); 3 the case changed under you (reload and retry); 4 the
database is locked, down or not set up; 5 emails left undelivered; 6 emails failed (a
person has to look: `ehc outbox retry --failed`).

Nothing heavy is imported here at start-up (``ehc --help`` must stay fast): the services,
the engine and rich are imported by the handlers that use them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from services.bootstrap import Runtime

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_CASE_CHANGED = 3
EXIT_DATABASE = 4

Handler = Callable[[argparse.Namespace], int]

_RUNTIME: list[Runtime] = []  # started once per command (``cli.main.main`` resets it)


def runtime() -> Runtime:
    """The settings (read once), the database, the mail transport and today's date."""
    if not _RUNTIME:
        from services.bootstrap import start

        _RUNTIME.append(start())
    return _RUNTIME[0]


def reset_runtime() -> None:
    _RUNTIME.clear()


def store() -> Engine:
    return runtime().engine


def guarded(handler: Handler) -> Handler:
    """Run ``handler``, turning service errors into a message on stderr and an exit code."""

    def run(args: argparse.Namespace) -> int:
        from services.errors import (
            Conflict,
            ImportRefused,
            InvalidInput,
            ServiceError,
            Unavailable,
        )

        try:
            return handler(args)
        except ImportRefused as exc:
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return fail(str(exc), EXIT_REFUSED)
        except InvalidInput as exc:
            return fail(str(exc), EXIT_BAD_INPUT)
        except Conflict as exc:
            return fail(str(exc), EXIT_CASE_CHANGED)
        except Unavailable as exc:
            return fail(str(exc), EXIT_DATABASE)
        except ServiceError as exc:
            return fail(str(exc), EXIT_REFUSED)

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def fail(message: str, code: int = EXIT_REFUSED) -> int:
    print(f"ehc: error: {message}", file=sys.stderr)
    return code


def actor(args: argparse.Namespace) -> str:
    """Who is recording: ``--user``, else ``EHC_USER``, else the login name."""
    given: str | None = getattr(args, "user", None)
    return given or runtime().settings.user or getpass.getuser()


def today(args: argparse.Namespace) -> dt.date:
    """``--as-of`` if given, else today in England."""
    given: dt.date | None = getattr(args, "as_of", None)
    return given or runtime().today()


def add_user_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user", help="who is recording this (default: $EHC_USER, else your login name)"
    )


def add_page_options(parser: argparse.ArgumentParser, *, default: int = 50) -> None:
    parser.add_argument("--limit", type=positive, default=default,
                        help=f"show at most this many (default {default})")
    parser.add_argument("--offset", type=int, default=0, help="skip this many first")


def positive(value: str) -> int:
    """argparse type: a whole number of at least 1."""
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a whole number of at least 1")
    return int(value)


def iso_date(value: str) -> dt.date:
    """argparse type: a YYYY-MM-DD date, with the reason when it is not one."""
    if re.fullmatch(r"\s*\d{1,2}/\d{1,2}/\d{4}\s*", value):
        raise argparse.ArgumentTypeError(
            f"malformed date {value!r}: expected YYYY-MM-DD (e.g. 2026-07-20 for 20/07/2026)"
        )
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise argparse.ArgumentTypeError(f"malformed date {value!r}: expected YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"malformed date {value!r}: {exc}") from None


def working_days(value: str) -> int:
    """argparse type: working days, ``10`` or ``10d``; ``2w`` is ten working days."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([dw]?)\s*", value.lower())
    if not match:
        raise argparse.ArgumentTypeError(
            f"malformed period {value!r}: expected working days, e.g. 10d or 2w")
    return int(match[1]) * (5 if match[2] == "w" else 1)


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
        except RecursionError:
            raise argparse.ArgumentTypeError(f"field {name}: JSON nested too deeply") from None
    return name.strip(), value


def console() -> Console:
    """Coloured on a terminal, plain (and wide enough not to wrap) when piped."""
    from rich.console import Console

    out = Console(highlight=False, markup=False, soft_wrap=False)
    if not out.is_terminal:
        out = Console(highlight=False, markup=False, width=200)
    return out


def progress(description: str) -> Any:
    """A rich progress bar on stderr for a long job (hidden when stderr is not a terminal);
    returns a context manager yielding ``advance(done, total)``."""
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    @contextmanager
    def bar() -> Any:
        err = Console(stderr=True)
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                      transient=True, disable=not err.is_terminal) as shown:
            task = shown.add_task(description, total=None)

            def advance(done: int, total: int) -> None:
                shown.update(task, completed=done, total=total)

            yield advance

    return bar()
