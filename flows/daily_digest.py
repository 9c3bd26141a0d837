"""``daily-digest``: before the working day, one email per caseworker (their deadlines
overdue or due within N working days) and one per team manager (the team's), recorded
under (recipient, day) so a re-run that day sends nothing new; then deliver."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State

from flows.tasks import check_delivered, deliver_all, list_authorities, transient
from services.bootstrap import Runtime, start
from services.digest import digest_authority
from services.outbox import preview


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient,
      cache_policy=NO_CACHE)
def record_digests(
    rt: Runtime, la_code: str, as_of: dt.date, *, dry_run: bool
) -> dict[str, Any]:
    settings = rt.notify
    run = digest_authority(rt.engine, la_code, as_of, settings, dry_run=dry_run)
    get_run_logger().info("%s: %d digests planned, %d recorded", la_code, len(run.planned),
                          run.emails_recorded)
    return {
        "la_code": la_code,
        "planned": len(run.planned),
        "emails_recorded": run.emails_recorded,
        "would_send": [preview(e, settings) for e in run.planned] if dry_run else [],
    }


@flow(name="daily-digest")
def daily_digest(
    as_of: dt.date | None = None, la_codes: list[str] | None = None, *, dry_run: bool = False
) -> dict[str, Any] | State[Any]:
    """Today's digests (default: today in London) for every authority or ``la_codes``."""
    rt = start()  # the settings, read once for the whole run
    day = as_of or rt.today()
    codes = la_codes or list_authorities(rt)
    futures = [record_digests.submit(rt, code, day, dry_run=dry_run) for code in codes]
    report: dict[str, Any] = {
        "flow": "daily-digest", "as_of": day.isoformat(), "dry_run": dry_run,
        "authorities": [f.result() for f in futures],
    }
    if dry_run:
        return report
    report["delivery"] = deliver_all(rt, codes)
    return check_delivered(report)
