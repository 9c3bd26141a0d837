"""Tasks both overnight flows share: which authorities to run, and draining the outbox.

Tasks only call the application layer (``services``); they are retried because re-running
any of them is harmless (the outbox's keys and status guards see to that), and never
cached, because a sweep must look at the database as it is now. Each flow reads the
settings once (``services.bootstrap.start``) and hands the runtime to its tasks.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.states import Failed

from services.bootstrap import Runtime
from services.errors import Unavailable
from services.outbox import DeliveryReport, deliver
from services.sweep import authorities


class DeliveryIncomplete(RuntimeError):
    """Everything was recorded, but not every email went: some failed (a person has to
    look) or are left pending (the next run sends them). ``report`` is the flow's report."""

    def __init__(self, message: str, report: dict[str, Any]) -> None:
        self.report = report
        super().__init__(message)


def transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry what may pass (a locked or unreachable database), not a refusal or a bug."""
    error = state.data
    if isinstance(error, Unavailable):
        return "not set up" not in str(error)
    return isinstance(error, OSError)


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient,
      cache_policy=NO_CACHE)
def list_authorities(rt: Runtime) -> list[str]:
    return authorities(rt.engine)


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=transient,
      cache_policy=NO_CACHE)
def deliver_outbox(rt: Runtime, la_code: str) -> dict[str, Any]:
    report = deliver(rt.engine, la_code, rt.notify, rt.transport())
    # One line each; the flow's final state carries the problem, the debug log the traceback.
    get_run_logger().info("%s: %s", la_code, report)
    return asdict(report)


def deliver_all(rt: Runtime, la_codes: list[str]) -> dict[str, Any]:
    """Drain every authority's outbox, one task each; the totals."""
    total = DeliveryReport()
    for future in [deliver_outbox.submit(rt, code) for code in la_codes]:
        total.merge(DeliveryReport(**future.result()))
    return asdict(total)


def check_delivered(report: dict[str, Any]) -> dict[str, Any] | State[Any]:
    """The report, or (anything failed or left undelivered) a Failed state holding
    ``DeliveryIncomplete``: the run shows as failed, a caller gets the exception, and
    Prefect logs no traceback for what is an outcome, not a bug."""
    problem = DeliveryReport(**report.get("delivery") or {}).problem()
    if problem is None:
        return report
    message = f"decisions recorded, but {problem}"
    return Failed(message=message, data=DeliveryIncomplete(message, report))
