"""``ehc doctor``: can this installation do tonight's work? Reads only, sends nothing.

Exit codes: 0 every check passed; 1 a check failed (each line says which and why).
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import EXIT_REFUSED, fail, guarded, runtime


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser(
        "doctor", help="check the database, the SMTP relay, the last sweep and digest, and "
        "the outbox backlog"
    )
    cmd.set_defaults(handler=guarded(run_doctor))


def run_doctor(args: argparse.Namespace) -> int:
    from services.doctor import diagnose

    rt = runtime()
    result = diagnose(rt.engine, rt.notify, rt.transport(), now=rt.now())
    for check in result.checks:
        print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    if not result.ok:
        return fail("not ready: see the FAIL lines above", EXIT_REFUSED)
    print("ready")
    return 0
