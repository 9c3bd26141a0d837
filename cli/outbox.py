"""``ehc outbox retry``: requeue emails waiting in backoff, or (``--failed``) failed ones.

Exit codes: 0 done (even when there was nothing to requeue: it says so); 1 unknown case;
4 the database is unavailable.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import EXIT_DATABASE, EXIT_REFUSED, actor, add_user_option, fail
from db.session import get_engine
from services.errors import NotFound, Unavailable
from services.outbox_admin import requeue_outbox


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser("outbox", help="the emails waiting to be sent")
    commands = outbox.add_subparsers(dest="outbox_command", required=True)
    retry = commands.add_parser(
        "retry", help="make emails waiting in backoff due now (the next sweep sends them)"
    )
    retry.add_argument("--failed", action="store_true",
                       help="also requeue failed emails, with fresh attempts")
    retry.add_argument("--case", metavar="REF", help="only this case's emails")
    add_user_option(retry)
    retry.set_defaults(handler=run_retry)


def run_retry(args: argparse.Namespace) -> int:
    try:
        done = requeue_outbox(get_engine(), actor=actor(args), failed=args.failed,
                              case_reference=args.case)
    except NotFound as exc:
        return fail(str(exc), EXIT_REFUSED)
    except Unavailable as exc:
        return fail(str(exc), EXIT_DATABASE)
    scope = f" of case {args.case}" if args.case else ""
    failed = f", {done.from_failed} failed made pending again" if args.failed else ""
    print(f"requeued{scope}: {done.from_backoff} waiting in backoff made due now{failed}; "
          "the next `ehc sweep` sends them")
    if done.no_address:
        print(f"  {done.no_address} failed for want of an address stay failed: record the "
              "address; the next escalation goes to it")
    if done.in_flight:
        print(f"  {done.in_flight} in flight left alone: after their lease they are sent "
              "once more, marked as possible duplicates")
    return 0
