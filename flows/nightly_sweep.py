"""``nightly-sweep``: today's date in London (once), then per local authority: decide and
record escalations, then deliver the outbox. All logic lives in ``engine.escalation`` and
``notifications``; this module only sequences the application layer's use cases.

Catch-up safe: every rung already due and not yet recorded is decided, so a skipped night
is made up by the next; re-running a night decides and sends nothing new. A ``baseline``
run (onboarding an imported caseload) records tonight's decisions with their emails
suppressed and delivers nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State

from flows.tasks import check_delivered, deliver_all, list_authorities, transient
from services.bootstrap import Runtime, start
from services.outbox import preview
from services.sweep import sweep_authority


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient,
      cache_policy=NO_CACHE)
def decide_and_record(
    rt: Runtime,
    la_code: str, as_of: dt.date, *, dry_run: bool, baseline: bool = False
) -> dict[str, Any]:
    settings = rt.notify
    result = sweep_authority(rt.engine, la_code, as_of, settings, dry_run=dry_run,
                             baseline=baseline)
    get_run_logger().info(
        "%s: %d escalations decided, %d recorded, %d emails recorded%s", la_code,
        result.decided, result.escalations_recorded, result.emails_recorded,
        " (baseline: suppressed)" if baseline else "",
    )
    show = dry_run and not baseline  # a baseline's thousands of emails are never sent
    return {
        "la_code": la_code,
        "decided": result.decided,
        "escalations_recorded": result.escalations_recorded,
        "emails_recorded": result.emails_recorded,
        "by_level": result.by_level,
        "would_send": [preview(e, settings) for e in result.planned] if show else [],
    }


@flow(name="nightly-sweep")
def nightly_sweep(
    as_of: dt.date | None = None,
    la_codes: list[str] | None = None,
    *,
    dry_run: bool = False,
    baseline: bool = False,
) -> dict[str, Any] | State[Any]:
    """Escalate every deadline due for it as of ``as_of`` (default: today in London).

    ``la_codes`` limits the run to some authorities (a partition per worker);
    ``dry_run`` decides and renders but records and sends nothing; ``baseline`` records
    the decisions with their emails suppressed, and sends nothing.
    """
    rt = start()  # the settings, read once for the whole run
    day = as_of or rt.today()
    codes = la_codes or list_authorities(rt)
    futures = [decide_and_record.submit(rt, code, day, dry_run=dry_run, baseline=baseline)
               for code in codes]
    report: dict[str, Any] = {
        "flow": "nightly-sweep", "as_of": day.isoformat(), "dry_run": dry_run,
        "baseline": baseline, "authorities": [f.result() for f in futures],
    }
    if dry_run or baseline:
        return report
    report["delivery"] = deliver_all(rt, codes)
    return check_delivered(report)
