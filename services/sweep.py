"""One local authority's nightly sweep: gather, decide, record.

Only the cases whose night has come are read: each case carries the first night a notice
not yet decided could fire for it (``cases.next_sweep_on``, written by the sweep from
``engine.escalation.next_nights``; cleared by the store whenever the case's deadlines
change). ``gather`` reads those cases' open deadlines (``db.deadline_rows.
sweep_candidates``, the same rows as the worklist's read model, whatever their due date)
with the escalations already recorded for them. The engine decides
(``decide_escalations``, pure). ``record`` writes the new escalations, one outbox row per
recipient and each case's next night, one transaction per slice of cases (``SLICE``:
memory stays flat however many cases there are), with ``ON CONFLICT DO NOTHING`` on the
natural keys, so a repeated, interrupted or concurrent sweep of the same night records
nothing twice and the re-run completes what was cut off. The slice's cases are locked
while it is decided, so an event recorded meanwhile is never overwritten by a night
computed without it.

A *baseline* sweep (the first night of an imported caseload) decides and records exactly
as a normal night does, so everything already due counts as escalated, but records its
emails ``suppressed``: never sent. Nights after it send only what is new; the daily digest
still lists every overdue deadline, since it reads the projection, not the escalations.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from calendars.base import WorkingCalendar
from db import audit
from db.deadline_rows import OpenDeadline, sweep_candidates
from db.directory import get_la
from db.escalation_inputs import (
    already_escalated,
    authority_codes,
    case_slices,
    claim_slice,
    personal_details,
    reset_nights_unless,
    set_next_sweeps,
)
from db.la_calendar import calendar_for
from db.outbox import ACTOR, Email, record_emails
from db.session import unit_of_work
from engine.escalation import (
    NEVER,
    CaseDeadline,
    Escalation,
    EscalationKey,
    Ladder,
    Role,
    decide_escalations,
    ladder_fingerprint,
    next_nights,
)
from notifications.ladders import ladder_for
from notifications.notice import EscalationNotice
from notifications.render import PERSONAL_FIELDS, message_id
from notifications.settings import NotifySettings
from services.errors import translated

SLICE = 5_000  # cases gathered, decided and recorded at a time

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
    contacts: dict[str, CaseContacts]


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


def authorities(engine: Engine) -> list[str]:
    """Every local authority in the store, by code: the sweep's partitions."""
    with translated(), unit_of_work(engine) as session:
        return authority_codes(session)


def sweep_authority(
    engine: Engine,
    la_code: str,
    as_of: dt.date,
    settings: NotifySettings,
    *,
    dry_run: bool = False,
    baseline: bool = False,
    now: dt.datetime | None = None,
    slice_size: int = SLICE,
) -> AuthoritySweep:
    """Decide and (unless ``dry_run``) record tonight's escalations for one authority;
    with ``baseline``, record their emails ``suppressed`` instead of to be sent.

    Only the cases whose night has come are read (``cases.next_sweep_on``: never read
    since their deadlines changed, or a notice could fire by tonight), ``slice_size`` at
    a time, each slice in one transaction: gather, decide, record, and write each case's
    next night (``engine.escalation.next_nights``). Memory is the same for 1,000 cases as
    for 1,000,000; a dry run writes nothing and keeps what it would send."""
    stamp = now or audit.utc_now()
    suppressed = BASELINE_REASON.format(as_of=as_of.isoformat()) if baseline else None
    with translated():
        with unit_of_work(engine, write=not dry_run) as session:
            la = get_la(session, la_code)
            ladder = ladder_for(la.code, settings)  # a bad ladder file stops us before any work
            # Nights computed on another ladder or calendar no longer stand: a sweep clears
            # them, a dry run (which writes nothing) reads every case instead.
            basis = ladder_fingerprint(ladder, la.calendar_hash)
            every = dry_run and la.sweep_basis != basis
            if not dry_run:
                reset_nights_unless(session, la.id, basis)
            la_id, slices = la.id, case_slices(session, la.id, as_of, slice_size,
                                               every_case=every)
        result = AuthoritySweep(la_code, as_of, baseline=baseline)
        counts: Counter[str] = Counter()
        for case_ids in slices:
            with unit_of_work(engine, write=not dry_run) as session:
                claimed = {} if dry_run else claim_slice(session, la_id, as_of, case_ids)
                found = gather(session, la_code, as_of, settings, case_ids=case_ids,
                               every_case=every)
                decisions = decide_escalations(
                    found.deadlines, as_of, found.calendar, found.ladder, found.already
                )
                rows, emails = plan(found.la_id, decisions, found.contacts, as_of, settings,
                                    stamp)
                result.decided += len(decisions)
                counts.update(d.level for d in decisions)
                if dry_run:
                    result.planned += emails
                    continue
                if decisions:
                    recorded, sent = record_emails(session, rows, emails, now=stamp,
                                                   suppressed=suppressed)
                    result.escalations_recorded += recorded
                    result.emails_recorded += sent
                decided = found.already | {d.key for d in decisions}
                nights = next_nights(found.deadlines, as_of, found.calendar, found.ladder,
                                     decided)
                set_next_sweeps(session, {case_id: nights.get(reference, NEVER)
                                          for reference, case_id in claimed.items()})
        result.by_level = {r.level: counts[r.level] for r in ladder if counts[r.level]}
        if dry_run or not (result.decided or baseline):  # a baseline is audited even when empty
            return result
        with unit_of_work(engine, write=True) as session:
            audit.record(session, ACTOR, "sweep_baseline" if baseline else "sweep_recorded",
                         la_id=la_id, at=stamp, as_of=as_of.isoformat(),
                         escalations=result.escalations_recorded,
                         emails=result.emails_recorded, by_level=result.by_level)
    return result


def gather(
    session: Session,
    la_code: str,
    as_of: dt.date,
    settings: NotifySettings,
    *,
    case_ids: tuple[int, int],
    every_case: bool = False,
) -> SweepInput:
    """What the engine needs to decide tonight for a slice of the authority's cases
    (``case_ids`` = first id, last id) whose night has come (or all of them)."""
    la = get_la(session, la_code)
    calendar = calendar_for(la)
    ladder = ladder_for(la.code, settings)
    found = sweep_candidates(session, as_of=as_of, la_id=la.id, case_ids=case_ids,
                             every_case=every_case)
    head = Recipient(la.head_of_service_name or "", la.head_of_service_email)
    contacts = {item.reference: _contacts(item, head) for item in found}
    if settings.include_personal_data:
        personal = personal_details(session, (c.case_id for c in contacts.values()),
                                    PERSONAL_FIELDS)
        for case in contacts.values():
            case.personal.update(personal.get(case.case_id, {}))
    return SweepInput(
        la.id, la.code, calendar, ladder,
        [CaseDeadline(item.reference, item.deadline) for item in found],
        already_escalated(session, la.id, as_of, case_ids, every_case=every_case), contacts,
    )


def _contacts(item: OpenDeadline, head: Recipient) -> CaseContacts:
    return CaseContacts(item.case_id, {
        Role.CASEWORKER: Recipient(item.caseworker_name, item.caseworker_email),
        Role.TEAM_MANAGER: Recipient(item.manager_name or "", item.manager_email),
        Role.HEAD_OF_SERVICE: head,
    })


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
    domain = settings.mail_domain  # parsed from the From address: once, not per email
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
                message_id=message_id(key, domain), escalation=natural,
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
