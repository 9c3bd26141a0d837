"""The national sweep, spread over any number of process workers on any number of machines.

``sweep-authority`` (deployment ``sweep-authority/sweep-authority``) sweeps ONE local
authority: decide and record (holding a slot of the global concurrency limit
``ehc-database``, which bounds how many authorities write to the database at once), then
deliver its outbox (a task tagged ``smtp-relay``, which a tag concurrency limit bounds).
``nightly-fanout`` is the parent: it works out the night once and creates one run of that
deployment per authority with ``run_deployment(..., timeout=0)`` -- it does not wait --
under the idempotency key ``sweep/<authority>/<night>``, so a re-run of the parent, or a
second scheduler, creates nothing twice. Every child is itself safe to re-run (the outbox's
natural keys), so a worker dying mid-authority is made good by retrying that child.

The single-machine ``nightly-sweep`` (``ehc sweep``) is unchanged; use one or the other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import FlowRun, State
from prefect.concurrency.sync import concurrency
from prefect.deployments import run_deployment

from flows.nightly_sweep import decide_and_record
from flows.tasks import check_delivered, deliver_outbox, list_authorities, publish_report
from services.bootstrap import start

DEPLOYMENT = "sweep-authority/sweep-authority"
DATABASE_LIMIT = "ehc-database"  # global concurrency limit: authorities writing at once
SMTP_TAG = "smtp-relay"  # tag concurrency limit: deliveries at once


def idempotency_key(la_code: str, night: dt.date) -> str:
    return f"sweep/{la_code}/{night.isoformat()}"


@flow(name="sweep-authority")
def sweep_authority_flow(
    la_code: str, as_of: dt.date | None = None
) -> dict[str, Any] | State[Any]:
    """Decide, record and deliver one authority's night (default: today in London)."""
    rt = start()
    day = as_of or rt.today()
    with concurrency(DATABASE_LIMIT, occupy=1, strict=True):
        decided = decide_and_record(rt, la_code, day, dry_run=False)
    delivery = deliver_outbox.with_options(tags=[SMTP_TAG])(rt, la_code)
    report: dict[str, Any] = {"flow": "sweep-authority", "as_of": day.isoformat(),
                              "dry_run": False, "baseline": False, "authorities": [decided],
                              "delivery": delivery}
    publish_report(report)
    return check_delivered(report)


@flow(name="nightly-fanout")
def nightly_fanout(
    as_of: dt.date | None = None,
    la_codes: list[str] | None = None,
    deployment: str = DEPLOYMENT,
) -> dict[str, Any]:
    """One ``sweep-authority`` run per authority for the night, each created once."""
    rt = start()
    day = as_of or rt.today()
    codes = la_codes or list_authorities(rt)
    runs = {}
    for code in codes:
        run = cast(FlowRun, run_deployment(  # called from sync code: a FlowRun
            deployment, parameters={"la_code": code, "as_of": day.isoformat()}, timeout=0,
            idempotency_key=idempotency_key(code, day), as_subflow=False,
        ))
        runs[code] = str(run.id)
    get_run_logger().info("%s: %d authority runs created or found", day, len(runs))
    return {"flow": "nightly-fanout", "as_of": day.isoformat(), "runs": runs}
