"""``diagnose``: is this installation able to do tonight's work? One line per check.

Checks the database (reachable, schema at the newest revision), the SMTP relay (it
answers a connection and a NOOP, logging in if configured), when a sweep and a digest
last recorded anything (the audit log), and what the outbox holds (due, in backoff, in
flight, failed). Reads only; sends nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from db import audit, outbox
from db.migrate import current_revision, head_revision
from db.session import unit_of_work
from notifications.settings import NotifySettings
from notifications.transport import EmailTransport, TransportError
from services.errors import ServiceError, translated

SWEEP_ACTIONS = ("sweep_recorded", "sweep_baseline")
DIGEST_ACTIONS = ("digest_recorded",)
# Older than this, a run was missed: the sweep runs nightly, the digest on weekdays.
STALE_AFTER = {"sweep": dt.timedelta(hours=26), "digest": dt.timedelta(days=4)}


@dataclass(frozen=True)
class Check:
    name: str
    detail: str
    ok: bool


@dataclass(frozen=True)
class Diagnosis:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def diagnose(
    engine: Engine, settings: NotifySettings, transport: EmailTransport, *, now: dt.datetime
) -> Diagnosis:
    checks = [_database(engine)]
    if checks[0].ok:
        checks += _history(engine, now)
        checks.append(_backlog(engine, settings, now))
    checks.append(_relay(transport, settings))
    return Diagnosis(tuple(checks))


def _database(engine: Engine) -> Check:
    try:
        with translated():
            current, head = current_revision(engine), head_revision()
    except ServiceError as exc:
        return Check("database", str(exc), ok=False)
    if current != head:
        return Check("database", f"reachable, but at revision {current}, not {head}: "
                     "run `ehc init` to upgrade", ok=False)
    return Check("database", f"reachable, at the newest revision ({head})", ok=True)


def _history(engine: Engine, now: dt.datetime) -> list[Check]:
    with translated(), unit_of_work(engine) as session:
        last = {name: audit.last_of(session, actions)
                for name, actions in (("sweep", SWEEP_ACTIONS), ("digest", DIGEST_ACTIONS))}
    checks = []
    for name, at in last.items():
        if at is None:
            checks.append(Check(f"last {name}", "none recorded yet", ok=False))
            continue
        age = now - at
        checks.append(Check(f"last {name}", f"recorded at {at:%Y-%m-%d %H:%M} UTC "
                            f"({age.total_seconds() / 3600:.1f} hours ago)",
                            ok=age <= STALE_AFTER[name]))
    return checks


def _backlog(engine: Engine, settings: NotifySettings, now: dt.datetime) -> Check:
    lease = dt.timedelta(seconds=settings.sending_lease_seconds)
    with translated():
        left = outbox.backlog(engine, la_id=None, now=now, lease=lease)
    detail = (f"{left.due} due, {left.waiting} in backoff, {left.in_flight} in flight, "
              f"{left.failed} failed")
    return Check("outbox", detail, ok=left.due + left.failed == 0)


def _relay(transport: EmailTransport, settings: NotifySettings) -> Check:
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        transport.probe()
    except TransportError as exc:
        return Check("smtp relay", str(exc), ok=False)
    finally:
        transport.close()
    return Check("smtp relay", f"{where} answers", ok=True)
