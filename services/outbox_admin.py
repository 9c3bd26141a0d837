"""``requeue_outbox``: a person puts waiting or failed emails back in line.

After an outage the outbox holds messages in backoff (due again within six hours) and,
after a permanent refusal, messages ``failed`` for good. Once the cause is fixed (the
relay is back, an address corrected at the relay), ``ehc outbox retry`` makes the waiting
ones due now and, with ``failed``, gives the failed ones a fresh set of attempts; the next
``ehc sweep`` (or ``ehc digest``) sends them. A message with no address stays failed:
requeuing it would only fail again. Every requeue is audited (``email_requeued``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from db.audit import utc_now
from db.directory import get_case
from db.outbox import Requeued, requeue
from db.session import unit_of_work
from services.errors import translated

__all__ = ["Requeued", "requeue_outbox"]


def requeue_outbox(
    engine: Engine,
    *,
    actor: str,
    failed: bool = False,
    case_reference: str | None = None,
    now: dt.datetime | None = None,
) -> Requeued:
    """Make waiting emails due now; with ``failed``, failed ones pending again.

    Raises:
        NotFound: ``case_reference`` names no case.
        Unavailable: the database is locked, down or not set up.
    """
    with translated(), unit_of_work(engine, write=True) as session:
        if case_reference is not None:
            get_case(session, case_reference)
        return requeue(session, failed=failed, case_reference=case_reference,
                       actor=actor, now=now or utc_now())
