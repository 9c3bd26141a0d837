"""The ``ehc`` command: one entry point, sub-commands registered by small modules.

Each module in ``COMMAND_MODULES`` exposes ``register(subparsers)``, adding its
sub-commands with ``set_defaults(handler=...)``; a handler takes the parsed arguments and
returns the exit code. Nothing here imports Prefect, so the caseworker's commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "cli.timeline",
    "cli.store",
    "cli.staff",
    "cli.cases",
    "cli.worklist",
    "cli.sweep",
    "cli.timeliness",
    "cli.report",
    "cli.person",
    "cli.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ehc", description="Statutory EHC timescales for a local authority's SEND team."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except BrokenPipeError:
        # `ehc timeline ... | head`: the reader has gone; that is not an error.
        sys.stdout = open(os.devnull, "w")  # so the interpreter's final flush cannot fail
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
