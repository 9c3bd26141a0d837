"""Tell the on-call address when the overnight work went wrong: a sweep or digest run that
failed, no sweep completed tonight, or no digest after a working day.

``problems`` judges the runs it is given (name of the flow, state, start); the
``overnight-watchdog`` flow reads them from Prefect's API and, if there is anything to say,
``alert`` emails it straight through the relay (not through the outbox, which may be what
is broken). The message names flows, states and times only: never a child or a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from engine.events import LONDON
from notifications.settings import NotifySettings
from notifications.transport import EmailTransport

SWEEPS = ("nightly-sweep", "nightly-fanout", "sweep-authority")
DIGESTS = ("daily-digest",)
FAILED = ("FAILED", "CRASHED")


@dataclass(frozen=True)
class Run:
    flow: str
    state: str  # Prefect's state type: COMPLETED, FAILED, CRASHED, RUNNING ...
    started: dt.datetime | None
    name: str = ""


def problems(runs: Iterable[Run], *, now: dt.datetime) -> list[str]:
    """What is wrong, given the runs of the last 24 hours, as of ``now`` (06:00)."""
    runs = list(runs)
    midnight = dt.datetime.combine(now.astimezone(LONDON).date(), dt.time(), LONDON)
    found = [f"{r.flow} run {r.name or '?'} {r.state.lower()} (started "
             f"{r.started.astimezone(LONDON):%Y-%m-%d %H:%M})"
             for r in runs if r.state in FAILED and r.flow in SWEEPS + DIGESTS and r.started]
    if not any(r.flow in SWEEPS[:2] and r.state == "COMPLETED" and r.started
               and r.started >= midnight for r in runs):
        found.append(f"no nightly sweep has completed since 00:00 on "
                     f"{midnight:%a %d %b %Y}")
    yesterday = (midnight - dt.timedelta(days=1)).date()
    if yesterday.weekday() < 5 and not any(
        r.flow in DIGESTS and r.state == "COMPLETED" for r in runs
    ):
        found.append(f"no daily digest completed on {yesterday:%a %d %b %Y}")
    return found


def alert(
    transport: EmailTransport, settings: NotifySettings, to: str, found: list[str], *,
    now: dt.datetime,
) -> None:
    """Email ``found`` to the on-call address ``to`` (raises ``TransportError``)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = f"EHC timescales: overnight run needs attention ({len(found)})"
    message["Message-ID"] = make_msgid(domain=settings.mail_domain)
    lines = [f"As of {now.astimezone(LONDON):%Y-%m-%d %H:%M} (London):", "",
             *(f"- {line}" for line in found), "",
             "Check the runs in the Prefect UI, then `ehc doctor` on the worker."]
    message.set_content("\n".join(lines) + "\n")
    try:
        transport.send(message)
    finally:
        transport.close()
