"""One local authority's nightly sweep, outside Prefect: gather, decide, record.

``gather`` reads the deadlines that could escalate tonight (open limits due within the
ladder's reminder horizon or already past, disapplied limits past their nominal date,
windows acted inside) with the escalations already recorded for them. The engine decides
(``decide_escalations``, pure). ``record`` writes the new escalations and one outbox row
per recipient in ONE transaction, with ``ON CONFLICT DO NOTHING`` on the natural keys, so
a repeated or concurrent sweep of the same night records nothing twice.

A *baseline* sweep (the first night of an imported caseload) decides and records exactly
as a normal night does, so everything already due counts as escalated, but records its
emails ``suppressed``: never sent. Nights after it send only what is new; the daily digest
still lists every overdue deadline, since it reads the projection, not the escalations.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, select
from sqlalchemy.orm import Session

from calendars.base import WorkingCalendar
from db import audit
from db.directory import get_la
from db.la_calendar import calendar_for
from db.notify_schema import EscalationRow
from db.schema import Case, CaseEventRow, Caseworker, DeadlineRow, LocalAuthority, Team
from db.session import unit_of_work
from engine.escalation import (
    CaseDeadline,
    Escalation,
    EscalationKey,
    Ladder,
    Role,
    decide_escalations,
)
from engine.status import Deadline
from notifications.ladders import ladder_for
from notifications.notice import EscalationNotice
from notifications.outbox import ACTOR, Email, record_emails
from notifications.render import PERSONAL_FIELDS, message_id
from notifications.settings import NotifySettings

BASELINE_REASON = (
    "suppressed by the baseline sweep of {as_of}: already due when the caseload was "
    "onboarded, so recorded as escalated and never sent (the daily digest lists it)"
)


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str | None


@dataclass(frozen=True)
class CaseContacts:
    case_id: int
    by_role: dict[Role, Recipient]
    personal: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SweepInput:
    la_id: int
    la_code: str
    calendar: WorkingCalendar
    ladder: Ladder
    deadlines: list[CaseDeadline]
    already: frozenset[EscalationKey]


@dataclass
class AuthoritySweep:
    la_code: str
    as_of: dt.date
    baseline: bool = False
    decided: int = 0
    escalations_recorded: int = 0
    emails_recorded: int = 0
    by_level: dict[str, int] = field(default_factory=dict)  # decided, in ladder order
    planned: list[Email] = field(default_factory=list)


def sweep_authority(
    engine: Engine,
    la_code: str,
    as_of: dt.date,
    settings: NotifySettings,
    *,
    dry_run: bool = False,
    baseline: bool = False,
    now: dt.datetime | None = None,
) -> AuthoritySweep:
    """Decide and (unless ``dry_run``) record tonight's escalations for one authority;
    with ``baseline``, record their emails ``suppressed`` instead of to be sent."""
    stamp = now or audit.utc_now()
    with unit_of_work(engine) as session:
        found = gather(session, la_code, as_of, settings)
        decisions = decide_escalations(
            found.deadlines, as_of, found.calendar, found.ladder, found.already
        )
        contacts = load_contacts(session, found.la_id, decisions, settings)
    rows, emails = plan(found.la_id, decisions, contacts, as_of, settings, stamp)
    counts = Counter(d.level for d in decisions)
    result = AuthoritySweep(
        la_code, as_of, baseline=baseline, decided=len(decisions), planned=emails,
        by_level={r.level: counts[r.level] for r in found.ladder if counts[r.level]},
    )
    if dry_run or not (decisions or baseline):  # a baseline is audited even when empty
        return result
    suppressed = BASELINE_REASON.format(as_of=as_of.isoformat()) if baseline else None
    with unit_of_work(engine, write=True) as session:
        result.escalations_recorded, result.emails_recorded = record_emails(
            session, rows, emails, now=stamp, suppressed=suppressed
        )
        audit.record(session, ACTOR, "sweep_baseline" if baseline else "sweep_recorded",
                     la_id=found.la_id, at=stamp, as_of=as_of.isoformat(),
                     escalations=result.escalations_recorded, emails=result.emails_recorded,
                     by_level=result.by_level)
    return result


def authority_codes(engine: Engine) -> list[str]:
    """Every local authority in the store, by code: the sweep's partitions."""
    with unit_of_work(engine) as session:
        return list(session.scalars(select(LocalAuthority.code).order_by(LocalAuthority.code)))


def gather(session: Session, la_code: str, as_of: dt.date, settings: NotifySettings) -> SweepInput:
    la = get_la(session, la_code)
    calendar = calendar_for(la)
    ladder = ladder_for(la.code, settings)
    reach = max((r.working_days for r in ladder if r.when == "before"), default=0)
    horizon = calendar.add_working_days(as_of, reach) if reach else as_of
    where = _candidates(la.id, as_of, horizon)
    query = select(Case.reference, *_DEADLINE_COLUMNS).join(Case).where(*where)
    deadlines = [
        CaseDeadline(ref, Deadline(**dict(zip(_DEADLINE_FIELDS, values, strict=True)),
                                   explanation=""))
        for ref, *values in session.execute(query)
    ]
    done = (
        select(Case.reference, EscalationRow.deadline_key, EscalationRow.instance,
               EscalationRow.level)
        .join(Case, Case.id == EscalationRow.case_id)
        .join(DeadlineRow, and_(DeadlineRow.case_id == EscalationRow.case_id,
                                DeadlineRow.key == EscalationRow.deadline_key,
                                DeadlineRow.instance == EscalationRow.instance))
        .where(*where)
    )
    already = frozenset((r, k, i, lv) for r, k, i, lv in session.execute(done))
    return SweepInput(la.id, la.code, calendar, ladder, deadlines, already)


def load_contacts(
    session: Session, la_id: int, decisions: Sequence[Escalation], settings: NotifySettings
) -> dict[str, CaseContacts]:
    """Who each decided escalation's roles are, for the cases concerned."""
    refs = sorted({d.case_ref for d in decisions})
    la = session.get(LocalAuthority, la_id)
    assert la is not None
    head = Recipient(la.head_of_service_name or "", la.head_of_service_email)
    contacts: dict[str, CaseContacts] = {}
    for chunk in _chunks(refs, 500):
        query = (
            select(Case.id, Case.reference, Caseworker.name, Caseworker.email,
                   Team.manager_name, Team.manager_email)
            .join(Caseworker, Caseworker.id == Case.caseworker_id)
            .join(Team, Team.id == Caseworker.team_id)
            .where(Case.reference.in_(chunk))
        )
        for case_id, ref, cw_name, cw_email, tm_name, tm_email in session.execute(query):
            contacts[ref] = CaseContacts(case_id, {
                Role.CASEWORKER: Recipient(cw_name, cw_email),
                Role.TEAM_MANAGER: Recipient(tm_name or "", tm_email),
                Role.HEAD_OF_SERVICE: head,
            })
    if settings.include_personal_data:
        _add_personal(session, contacts)
    return contacts


def plan(
    la_id: int,
    decisions: Iterable[Escalation],
    contacts: dict[str, CaseContacts],
    as_of: dt.date,
    settings: NotifySettings,
    now: dt.datetime,
) -> tuple[list[dict[str, Any]], list[Email]]:
    """The escalation rows and emails to record: one email per person per escalation."""
    rows: list[dict[str, Any]] = []
    emails: list[Email] = []
    for esc in decisions:
        case = contacts[esc.case_ref]
        natural = (case.case_id, esc.deadline_key, esc.instance, esc.level)
        rows.append(_escalation_row(case.case_id, esc, as_of, now))
        told: set[str] = set()
        for role in esc.roles:
            person = case.by_role[role]
            if person.email and person.email.lower() in told:
                continue  # e.g. a manager who is also the caseworker: one email is enough
            told.add((person.email or "").lower())
            key = "/".join(("escalation", esc.case_ref, *natural[1:], str(role)))
            notice = EscalationNotice.from_escalation(esc, role, person.name, case.personal)
            emails.append(Email(
                key=key, kind="escalation", la_id=la_id, recipient_role=str(role),
                recipient_email=person.email, payload=notice.to_payload(),
                message_id=message_id(key, settings.mail_domain), escalation=natural,
            ))
    return rows, emails


def _escalation_row(
    case_id: int, esc: Escalation, as_of: dt.date, now: dt.datetime
) -> dict[str, Any]:
    return {
        "case_id": case_id, "deadline_key": esc.deadline_key, "instance": esc.instance,
        "level": esc.level, "rule": esc.rule, "track": str(esc.track),
        "roles": ",".join(str(r) for r in esc.roles), "due": esc.due, "nominal": esc.nominal,
        "fires_on": esc.fires_on, "days_late": esc.days_late, "decided_on": as_of,
        "decided_at": now,
    }


def _candidates(la_id: int, as_of: dt.date, horizon: dt.date) -> list[ColumnElement[bool]]:
    d = DeadlineRow
    open_limit = and_(d.kind == "limit", or_(d.met_on.is_(None), d.met_on > as_of))
    return [
        Case.la_id == la_id,
        or_(
            and_(open_limit, d.due.is_not(None), d.due <= horizon),
            and_(open_limit, d.due.is_(None), d.nominal < as_of),
            and_(d.kind == "window", d.premature_on.is_not(None), d.premature_on <= as_of),
        ),
    ]


_DEADLINE_FIELDS = (
    "key", "instance", "rule", "kind", "statutory", "nominal", "due", "trigger",
    "trigger_date", "citation", "met_on", "met_by", "exception", "premature_on",
)
_DEADLINE_COLUMNS = [getattr(DeadlineRow, name) for name in _DEADLINE_FIELDS]


def _add_personal(session: Session, contacts: dict[str, CaseContacts]) -> None:
    """Children's names and needs, from events that carry them (latest wins): read only
    when ``EHC_EMAIL_INCLUDE_PERSONAL_DATA`` allows them in emails."""
    by_id = {c.case_id: c for c in contacts.values()}
    for chunk in _chunks(sorted(by_id), 500):
        query = (
            select(CaseEventRow.case_id, CaseEventRow.payload)
            .where(CaseEventRow.case_id.in_(chunk))
            .order_by(CaseEventRow.case_id, CaseEventRow.seq)
        )
        for case_id, payload in session.execute(query):
            for name in PERSONAL_FIELDS:
                if isinstance(payload.get(name), str) and payload[name]:
                    by_id[case_id].personal[name] = payload[name]


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
