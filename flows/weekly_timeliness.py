"""``weekly-timeliness``: Monday morning, each authority's timeliness figures for the last
twelve months with the committee charts, emailed to its team managers and head of
service (through the outbox: a re-run that week sends nothing new), and the table
published as a Prefect artifact."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State

from flows.tasks import check_delivered, list_authorities, transient
from reports.tables import to_markdown
from services.bootstrap import Runtime, start
from services.outbox import DeliveryReport
from services.reporting import load_targets
from services.weekly import send_weekly_summary


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient,
      cache_policy=NO_CACHE)
def summarise(rt: Runtime, la_code: str, as_of: dt.date) -> dict[str, Any]:
    run = send_weekly_summary(
        rt.engine, la_code, as_of, rt.notify, transport=rt.transport(),
        targets=load_targets(rt.settings.timeliness_targets_file),
        now=rt.now(),
    )
    report = run.report
    create_markdown_artifact(
        key=f"weekly-timeliness-{la_code.lower()}",
        markdown=(f"# Timeliness {la_code}: {report.start} to {report.end}\n\n"
                  f"{report.cases} cases; open cases as on {report.as_of}.\n\n"
                  + to_markdown(report, "total")),
        description=f"Weekly timeliness figures for {la_code}",
    )
    get_run_logger().info("%s: %d summary emails recorded; %s", la_code, run.emails_recorded,
                          run.delivery)
    return {"la_code": la_code, "cases": report.cases, "emails_recorded": run.emails_recorded,
            "delivery": asdict(run.delivery)}


@flow(name="weekly-timeliness")
def weekly_timeliness(
    as_of: dt.date | None = None, la_codes: list[str] | None = None
) -> dict[str, Any] | State[Any]:
    """This week's summaries (default: today in London) for every authority or ``la_codes``."""
    rt = start()  # the settings, read once for the whole run
    day = as_of or rt.today()
    codes = la_codes or list_authorities(rt)
    results = [f.result() for f in [summarise.submit(rt, code, day) for code in codes]]
    total = DeliveryReport()
    for result in results:
        total.merge(DeliveryReport(**result.pop("delivery")))
    return check_delivered({
        "flow": "weekly-timeliness", "as_of": day.isoformat(), "authorities": results,
        "delivery": asdict(total),
    })
