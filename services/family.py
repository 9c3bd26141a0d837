"""The family's view of one case, through a link a caseworker sends them.

The link is ``/family/<token>``: 256 random bits, stored only as their hash, expiring,
revocable by the caseworker, and every use audited. What the family sees is chosen here,
not filtered later: the stages, what happened and when (the kind of event and its date,
never the details recorded with it), each date in plain English with whose it is, and
what they can do if the council misses one. Never internal notes, who recorded what, the
outbox, or anything of another case; the caseworker's name only where the authority
allows (``FamilyPolicy.show_staff_names``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from db import audit, links
from db.link_schema import FamilyLink
from db.outbox import Email, record_emails
from db.schema import Case
from db.session import unit_of_work
from engine.status import Deadline, Status
from notifications.render import message_id
from services.cases import (
    CaseView,
    JudgedDeadline,
    case_in,  # the one authority check of a case
    case_view,
)
from services.errors import InvalidInput, NotFound, translated
from services.tokens import digest, new_token

MAX_LINK_DAYS = 366
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}")
GONE = "This link does not work. Ask your caseworker for a new one."


@dataclass(frozen=True)
class FamilyPolicy:
    """What an authority lets its families' page say (``EHC_FAMILY_*`` settings)."""

    complaints: str = ("If the council misses a date, contact your caseworker first. If that "
                       "does not sort it out, you can make a complaint to the council.")
    complaints_url: str | None = None
    show_staff_names: bool = False
    link_days: int = 28
    # The authorities that email a family (who gave an address) when a stage is done.
    stage_emails: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: ``token`` is shown once and never stored."""

    id: int
    reference: str
    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class LinkInfo:
    id: int
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None

    def live(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class FamilyStage:
    name: str
    state: str  # "done", "now" or "to come"


@dataclass(frozen=True)
class FamilyEvent:
    day: dt.date
    what: str


@dataclass(frozen=True)
class FamilyDate:
    title: str
    day: dt.date
    explanation: str  # plain English, with the day's name
    yours: bool  # a right of the family's (mediation, appeal), not a duty of the council
    missed: bool  # the council's date has passed and it has not done it
    done: bool


@dataclass(frozen=True)
class FamilyView:
    reference: str
    la_name: str
    process: str
    stage: str
    as_of: dt.date
    stages: tuple[FamilyStage, ...]
    happened: tuple[FamilyEvent, ...]
    council_dates: tuple[FamilyDate, ...]
    your_dates: tuple[FamilyDate, ...]
    caseworker_name: str | None
    complaints: str
    complaints_url: str | None
    expires_at: dt.datetime

    @property
    def any_missed(self) -> bool:
        return any(date.missed for date in self.council_dates)


# The stages a family follows, in order, by the stage values that mean each is reached.
_PATHS: Mapping[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "assessment": (
        ("The council receives the request for an assessment", frozenset({"requested"})),
        ("The council decides whether to assess", frozenset({"assessing"})),
        ("The draft plan is sent to you", frozenset({"draft_issued"})),
        ("The final plan is issued", frozenset({"plan_issued"})),
    ),
    "review": (
        ("The plan is in place", frozenset({"plan_in_force"})),
        ("The review meeting is held", frozenset({"meeting_held"})),
        ("The council decides what to change", frozenset({"amending"})),
        ("The council sends you the proposed changes", frozenset({"notice_served"})),
    ),
}
# Stages off the usual path, said to the family as they are.
_ENDINGS: Mapping[str, str] = {
    "refused": "The council decided not to carry out an assessment",
    "not_issued": "The council decided not to issue a plan",
    "ceased": "The council decided to stop the plan",
    "closed": "The case is closed",
    "reassessment_requested": "A new assessment has been asked for",
}
_NOT_SHOWN = frozenset({"event_withdrawn"})  # corrections: the family sees the result only


def create_link(
    engine: Engine, reference: str, *, la_code: str | None, actor: str, now: dt.datetime,
    days: int = FamilyPolicy.link_days, email: str | None = None,
) -> IssuedLink:
    """A new family link to the case, valid for ``days`` days (audited). ``email``: where
    to tell the family that a stage is done, if their authority does that. ``la_code``
    None (the ``ehc`` command, run by the service's own staff): the case's own."""
    if not 1 <= days <= MAX_LINK_DAYS:
        raise InvalidInput(f"a link lasts 1 to {MAX_LINK_DAYS} days, not {days}", field="days")
    if email is not None and not _EMAIL.fullmatch(email):
        raise InvalidInput(f"{email!r} is not an email address", field="email")
    token, hashed = new_token()
    with translated(), unit_of_work(engine, write=True) as session:
        case = case_in(session, reference, la_code)
        expires = now + dt.timedelta(days=days)
        link = links.add_family_link(session, hashed, case, actor=actor, now=now,
                                     expires_at=expires, email=email)
        audit.record(session, actor, "family_link_created", case_id=case.id, la_id=case.la_id,
                     at=now, link=link.id, expires_at=expires.isoformat())
        return IssuedLink(link.id, case.reference, token, expires)


def list_links(engine: Engine, reference: str, *, la_code: str) -> tuple[LinkInfo, ...]:
    """The case's family links, newest first (the tokens themselves are not kept)."""
    with translated(), unit_of_work(engine) as session:
        case = case_in(session, reference, la_code)
        return tuple(_info(link) for link in links.family_links_of(session, case.id))


def revoke_link(
    engine: Engine, reference: str, link_id: int, *, la_code: str, actor: str, now: dt.datetime
) -> None:
    """Stop the link working at once (audited)."""
    with translated(), unit_of_work(engine, write=True) as session:
        case = case_in(session, reference, la_code)
        if not links.revoke_family_link(session, link_id, case.id, actor=actor, now=now):
            raise NotFound(f"case {reference} has no live family link {link_id}")
        audit.record(session, actor, "family_link_revoked", case_id=case.id, la_id=case.la_id,
                     at=now, link=link_id)


def queue_stage_emails(
    engine: Engine, *, now: dt.datetime, policy: FamilyPolicy, mail_domain: str
) -> int:
    """Put one content-free email in the outbox for each family (with a live link and an
    address, in an authority that turned it on) whose case has reached a new stage since
    they were last told; how many. Safe to repeat: the outbox key is the link and stage."""
    if not policy.stage_emails:
        return 0
    with translated(), unit_of_work(engine, write=True) as session:
        emails = []
        for link, case in links.links_to_tell(session, policy.stage_emails, now):
            key = f"family/{link.id}/{case.stage}"
            emails.append(Email(
                key=key, kind="family", la_id=case.la_id, recipient_role="family",
                recipient_email=link.email, message_id=message_id(key, mail_domain),
                payload={"la_name": case.local_authority.name, "process": case.process}))
            link.notified_stage = case.stage
        return record_emails(session, [], emails, now=now)[1]


def family_view(
    engine: Engine, token: str, *, now: dt.datetime, as_of: dt.date, address: str,
    policy: FamilyPolicy,
) -> FamilyView:
    """What the family sees through ``token``; every use (and every refused use of a link
    that exists) is audited. Unknown, expired and revoked links are all ``NotFound``."""
    with translated(), unit_of_work(engine, write=True) as session:
        link = links.family_link_by_hash(session, digest(token))
        if link is None:
            raise NotFound(GONE)
        case = session.get(Case, link.case_id)
        assert case is not None  # a foreign key
        refused = _why_refused(link, now)
        audit.record(session, f"family link {link.id}",
                     "family_link_refused" if refused else "family_link_used",
                     case_id=case.id, la_id=case.la_id, at=now, link=link.id, address=address,
                     **({"reason": refused} if refused else {}))
        reference, expires_at = case.reference, link.expires_at
    if refused:
        raise NotFound(GONE)
    view = case_view(engine, reference, as_of=as_of)
    return _for_family(view, policy, expires_at)


def _why_refused(link: FamilyLink, now: dt.datetime) -> str | None:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if now >= link.expires_at else None


def _for_family(view: CaseView, policy: FamilyPolicy, expires_at: dt.datetime) -> FamilyView:
    dates = [_date(judged) for judged in view.deadlines if _shown(judged.deadline)]
    return FamilyView(
        reference=view.reference, la_name=view.la_name, process=view.process,
        stage=_ENDINGS.get(view.stage, ""), as_of=view.as_of,
        stages=_stages(view.process, view.stage),
        happened=tuple(FamilyEvent(entry.date, _words(entry.type))
                       for entry in view.timeline
                       if entry.in_effect and entry.type not in _NOT_SHOWN),
        council_dates=tuple(d for d in dates if not d.yours),
        your_dates=tuple(d for d in dates if d.yours),
        caseworker_name=view.caseworker_name if policy.show_staff_names else None,
        complaints=policy.complaints, complaints_url=policy.complaints_url,
        expires_at=expires_at,
    )


def _stages(process: str, stage: str) -> tuple[FamilyStage, ...]:
    path = _PATHS[process]
    reached = next((i for i, (_, values) in enumerate(path) if stage in values), -1)
    return tuple(
        FamilyStage(name, "done" if i < reached else "now" if i == reached else "to come")
        for i, (name, _) in enumerate(path)
    )


def _shown(deadline: Deadline) -> bool:
    """Statutory dates that bind someone (the computed facts like deemed service are in the
    explanations already)."""
    return deadline.statutory and deadline.kind != "date" and deadline.due is not None


def _date(judged: JudgedDeadline) -> FamilyDate:
    deadline = judged.deadline
    day = deadline.due or deadline.nominal
    return FamilyDate(
        title=_words(deadline.key), day=day, explanation=deadline.plain_explanation,
        yours=deadline.actor == "parent",
        missed=judged.status is Status.BREACHED and deadline.actor != "parent",
        done=judged.status in (Status.MET_ON_TIME, Status.MET_LATE),
    )


def _words(key: str) -> str:
    text = key.replace("_", " ").removesuffix(" due")
    return text[:1].upper() + text[1:]


def _info(link: FamilyLink) -> LinkInfo:
    return LinkInfo(link.id, link.created_by, link.created_at, link.expires_at,
                    link.revoked_at, link.revoked_by)
