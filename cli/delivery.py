"""What an overnight run's delivery comes to: its summary lines and its exit code.

Exit codes: 0 every email due was delivered (or withdrawn); 5 some are left undelivered --
due, waiting in backoff, or in flight -- and the next run sends them; 6 some failed this
run (refused for their recipient, out of attempts, or interrupted twice): a person has to
look (``ehc outbox retry --failed`` once the cause is fixed). 6 wins over 5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from services.outbox import DeliveryReport

EXIT_UNDELIVERED = 5
EXIT_FAILED = 6


def delivery_outcome(delivery: Mapping[str, Any]) -> tuple[int, list[str]]:
    """(exit code, summary lines) for a flow report's ``delivery`` section."""
    report = DeliveryReport(**delivery)
    lines = [
        f"  delivered: {report.sent} sent ({report.resent_in_doubt} resent after an "
        f"interruption), {report.failed} failed, {report.withdrawn} withdrawn (deadline "
        "met, disapplied or gone since)"
    ]
    if report.unavailable:
        lines.append(f"  stopped early: {report.unavailable}")
    if report.due:
        lines.append(f"  not reached: {report.due} due now, left pending for the next run")
    if report.waiting:
        lines.append(f"  waiting: {report.waiting} to retry in backoff, due again from "
                     f"{_at(report.first_retry)} to {_at(report.last_retry)}")
    if report.in_flight:
        lines.append(f"  in flight: {report.in_flight} being sent by another run, or left "
                     f"by one that died; lease expires {_at(report.lease_expires)}, then "
                     "each is sent once more, marked as a possible duplicate")
    if report.gave_up_interrupted:
        lines.append(f"  given up: {report.gave_up_interrupted} interrupted twice: check the "
                     "mail server's log")
    if report.failed_in_all:
        lines.append(f"  failed in all: {report.failed_in_all}, for a person to look at "
                     "(`ehc outbox retry --failed` requeues them)")
    if report.gave_up:
        return EXIT_FAILED, lines
    if report.undelivered or report.unavailable:
        return EXIT_UNDELIVERED, lines
    return 0, lines


def _at(instant: dt.datetime | None) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if instant else "?"
