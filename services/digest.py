"""The daily digest of one local authority: one email per caseworker
(their deadlines overdue or due within N working days) and one per team manager (the
team's), recorded in the outbox under (recipient, day) so a second run that day adds none.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import audit
from db.deadline_rows import open_deadlines
from db.directory import get_la
from db.la_calendar import calendar_for
from db.outbox import ACTOR, Email, record_emails
from db.session import unit_of_work
from engine.status import Status, days_late, due_soon_horizon, status_on
from notifications.notice import DigestItem, DigestNotice
from notifications.render import message_id
from notifications.settings import NotifySettings
from services.errors import translated

MAX_ITEMS = 100  # per email; the worklist (``ehc due``) has the rest


@dataclass(frozen=True)
class Person:
    key: str  # caseworker username, or the team's id
    name: str
    email: str | None


@dataclass
class DigestRun:
    la_code: str
    as_of: dt.date
    emails_recorded: int = 0
    planned: list[Email] = field(default_factory=list)


def digest_authority(
    engine: Engine,
    la_code: str,
    as_of: dt.date,
    settings: NotifySettings,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> DigestRun:
    """Plan and (unless ``dry_run``) record today's digests for one authority."""
    stamp = now or audit.utc_now()
    with translated(), unit_of_work(engine) as session:
        la_id, workers, teams = gather_items(session, la_code, as_of, settings)
    emails = [
        _email(la_id, "caseworker", person, items, as_of, settings)
        for person, items in workers.items()
    ] + [
        _email(la_id, "team_manager", person, items, as_of, settings)
        for person, items in teams.items()
    ]
    run = DigestRun(la_code, as_of, planned=emails)
    if dry_run or not emails:
        return run
    with translated(), unit_of_work(engine, write=True) as session:
        _, run.emails_recorded = record_emails(session, [], emails, now=stamp)
        audit.record(session, ACTOR, "digest_recorded", la_id=la_id, at=stamp,
                     as_of=as_of.isoformat(), emails=run.emails_recorded)
    return run


def gather_items(
    session: Session, la_code: str, as_of: dt.date, settings: NotifySettings
) -> tuple[int, dict[Person, list[DigestItem]], dict[Person, list[DigestItem]]]:
    """Each caseworker's and each team's open limits that are overdue or due soon."""
    la = get_la(session, la_code)
    calendar = calendar_for(la)
    soon = settings.digest_working_days
    workers: dict[Person, list[DigestItem]] = defaultdict(list)
    teams: dict[Person, list[DigestItem]] = defaultdict(list)
    horizon = due_soon_horizon(as_of, calendar, soon)
    for found in open_deadlines(session, as_of=as_of, due_by=horizon, la_id=la.id):
        deadline = found.deadline
        status = status_on(deadline, as_of, calendar, due_soon_working_days=soon)
        if deadline.due is None or status not in (Status.DUE_SOON, Status.BREACHED):
            continue
        item = DigestItem(found.reference, deadline.key, deadline.rule, deadline.statutory,
                          deadline.due, str(status), days_late(deadline, as_of),
                          found.caseworker_name)
        workers[Person(found.caseworker, found.caseworker_name,
                       found.caseworker_email)].append(item)
        teams[Person(str(found.team_id), found.manager_name or "",
                     found.manager_email)].append(item)
    return la.id, workers, teams


def _email(
    la_id: int,
    role: str,
    person: Person,
    items: Sequence[DigestItem],
    as_of: dt.date,
    settings: NotifySettings,
) -> Email:
    overdue = sum(1 for i in items if i.status == Status.BREACHED)
    notice = DigestNotice(
        as_of=as_of, recipient_role=role, recipient_name=person.name,
        working_days=settings.digest_working_days, overdue=overdue,
        due_soon=len(items) - overdue, items=tuple(items[:MAX_ITEMS]),
    )
    key = f"digest/{as_of.isoformat()}/{role}/{person.key}"
    return Email(key=key, kind="digest", la_id=la_id, recipient_role=role,
                 recipient_email=person.email, payload=notice.to_payload(),
                 message_id=message_id(key, settings.mail_domain))
