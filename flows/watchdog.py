"""``overnight-watchdog`` (06:00 London): the runs of the last 24 hours from Prefect's API,
judged by ``services.watchdog.problems``; anything wrong goes to ``EHC_ONCALL_EMAIL``.

It fails (so it shows red in the UI, too) when it found something, and says what.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime
from prefect.client.schemas.objects import State
from prefect.states import Failed

from services.bootstrap import start
from services.watchdog import Run, alert, problems


def recent_runs(since: dt.datetime) -> list[Run]:
    """Every flow run that started after ``since``, with its flow's name."""
    with get_client(sync_client=True) as client:
        found = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            start_time=FlowRunFilterStartTime(after_=since)))
        names = {f.id: f.name for f in client.read_flows()}
    return [Run(names.get(r.flow_id, "?"), r.state_type.value if r.state_type else "?",
                r.start_time, r.name) for r in found]


@flow(name="overnight-watchdog")
def overnight_watchdog(now: dt.datetime | None = None) -> dict[str, Any] | State[Any]:
    rt = start()
    at = now or rt.now()
    found = problems(recent_runs(at - dt.timedelta(hours=24)), now=at)
    report: dict[str, Any] = {"flow": "overnight-watchdog", "problems": found}
    if not found:
        return report
    to = rt.settings.oncall_email
    if to:
        alert(rt.transport(), rt.notify, to, found, now=at)
    get_run_logger().warning("%d problem(s): %s", len(found), "; ".join(found))
    told = f"; on-call told at {to}" if to else "; EHC_ONCALL_EMAIL is not set: nobody told"
    return Failed(message="; ".join(found) + told, data=report)
