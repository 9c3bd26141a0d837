"""``ehc verify``: check the case store's integrity and say plainly what is wrong.

Exit codes: 0 intact; 1 a finding (each on its own line, then a one-line summary) or an
unknown case; 4 the database is unavailable.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.common import EXIT_REFUSED, fail, guarded, store


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser(
        "verify", help="check the event log (sequence, hash chain) and the deadlines "
        "projection; changes nothing"
    )
    cmd.add_argument("--case", help="only this case reference")
    cmd.set_defaults(handler=guarded(run_verify))


def run_verify(args: argparse.Namespace) -> int:
    from services.verify import verify_store

    report = verify_store(store(), case_reference=args.case)
    print(f"checked {report.cases} cases, {report.events} events: sequence numbers, "
          "hash chain, deadlines projection")
    print(f"chain heads digest: {report.heads_digest}")
    for finding in report.findings:
        print(f"  {finding}", file=sys.stderr)
    if report.findings:
        count = len(report.findings)
        return fail(f"the store is NOT intact: {count} finding{'s' if count != 1 else ''} "
                    "above", EXIT_REFUSED)
    print("intact: no event was changed, lost or inserted; every projection matches its log")
    return 0
