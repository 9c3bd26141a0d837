"""The SEN2 person-level return, derived: the log supplies every date and outcome, the
protected person record the rest. Nothing here is typed twice.

From the log (``effective_history``: corrections resolved): ``ReceivedDate`` and
``RequestSource`` (the request's ``requester``), ``RYA``, ``RequestOutcome``/``Date``,
``AssessmentOutcome``/``Date``, ``Week20`` (a recorded 20-week exception), the named
plan's ``StartDate``, ``CeaseDate``/``CeaseReason``, ``TransferLA``, ``Exported``,
``ReviewMeeting``, ``ReviewOutcome``, ``LastReview`` and the mediation and tribunal
flags. From the person record: names, birth date, sex, ethnicity, postcode, UPN/ULN,
placements (plan detail and placement detail, ``PlanRes``/``RES``, ``WPB``), SEN need
and the personal budget flags.

Code lists are ``SEN2_CODES``; those marked [verify] could not be checked against the
DfE's 2026 guide (docs/reporting.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.events import (
    AppealRegistered,
    CaseClosed,
    CaseEvent,
    DecisionLetterSent,
    DecisionNotToIssueNotified,
    DecisionToAssessNotified,
    DraftPlanPosted,
    DraftPlanServed,
    ExceptionRecorded,
    FinalPlanIssued,
    LaBecameResponsible,
    MediationRequested,
    PlanLastReviewed,
    PlanTransferred,
    RequestReceived,
    ReviewDecisionNotified,
    ReviewMeetingHeld,
    event_date,
)
from engine.person import PersonRecord, Placement

REQUEST_SOURCES: Mapping[str, str] = {  # the request's ``requester`` -> RequestSource
    "parent": "1", "young_person": "1", "school": "2", "setting": "2", "college": "2",
    "health": "3", "social_care": "4", "other": "5",
}
SEN2_CODES: Mapping[str, Mapping[str, str]] = {
    "RequestSource": {"1": "young person or parent", "2": "school or other education setting",
                      "3": "health care professional", "4": "social care professional",
                      "5": "other"},
    "RequestOutcome": {"A": "decided to assess [verify]", "B": "decided not to assess [verify]",
                       "H": "historical: plan made before the log began [verify]"},
    "AssessmentOutcome": {"Y": "decided to issue a plan [verify]",
                          "N": "decided not to issue a plan [verify]",
                          "H": "historical [verify]"},
    "ReviewOutcome": {"1": "maintain unchanged [verify]", "2": "amend [verify]",
                      "3": "cease [verify]"},
    "CeaseReason": {"1": "reached maximum age", "2": "needs met without a plan",
                    "3": "moved to higher education", "4": "moved to paid employment or "
                    "apprenticeship", "5": "transferred to another LA", "6": "no longer wishes "
                    "to engage", "7": "moved outside England", "8": "deceased", "9": "other"},
}
_REVIEW_OUTCOMES = {"maintain": "1", "amend": "2", "cease": "3"}


@dataclass(frozen=True)
class Collection:
    """SEN2 for ``year``: the calendar year before it, and the January census date."""

    year: int
    census: dt.date
    period_start: dt.date
    period_end: dt.date


def collection(year: int) -> Collection:
    """The census is the third Thursday of January of ``year`` [verify against the guide]."""
    first = dt.date(year, 1, 1)
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return Collection(year, thursday + dt.timedelta(days=14), dt.date(year - 1, 1, 1),
                      dt.date(year - 1, 12, 31))


@dataclass(frozen=True)
class Flags:
    mediation: bool = False
    tribunal: bool = False


@dataclass(frozen=True)
class NamedPlan:
    start: dt.date
    cease_date: dt.date | None
    cease_reason: str | None
    details: tuple[Placement, ...]


@dataclass(frozen=True)
class Assessment:
    outcome: str | None
    outcome_date: dt.date | None
    flags: Flags
    other: Flags
    week20: bool | None
    named_plan: NamedPlan | None


@dataclass(frozen=True)
class ActivePlan:
    transfer_la: str | None
    review_meeting: dt.date | None
    review_outcome: str | None
    last_review: dt.date | None
    placements: tuple[Placement, ...]
    sen_needs: tuple[str, ...]


@dataclass(frozen=True)
class Request:
    received: dt.date | None  # None: a historical plan whose request is not on file
    source: str | None
    rya: bool
    outcome: str | None
    outcome_date: dt.date | None
    flags: Flags
    exported: str | None
    assessment: Assessment | None
    active_plan: ActivePlan | None


@dataclass(frozen=True)
class Sen2Person:
    case: str
    record: PersonRecord | None
    requests: tuple[Request, ...]


def derive(
    case: str, events: Sequence[CaseEvent], record: PersonRecord | None, coll: Collection
) -> Sen2Person | None:
    """The child's SEN2 entry for ``coll`` (None: nothing of theirs falls in it).

    Args:
        case: the case reference (the person's id in the return's workbook).
        events: the case's effective history in date order (``effective_history``).
        record: the protected person record, if any.
        coll: the collection.
    """
    known = [e for e in events if event_date(e) <= coll.census]
    starts = [
        i for i, e in enumerate(known) if isinstance(e, RequestReceived | LaBecameResponsible)
    ]
    ends = [*starts[1:], len(known)] if starts else []
    requests = [_request(known[a:b], record, coll) for a, b in zip(starts, ends, strict=True)]
    if not starts and _plan_start(known) is not None:
        requests.append(_historical(known, record, coll))
    kept = tuple(r for r in requests if _in_scope(r, coll))
    return Sen2Person(case, record, kept) if kept else None


def _in_scope(request: Request, coll: Collection) -> bool:
    if request.active_plan is not None:
        return True
    if request.received is None or request.received > coll.period_end:
        return False
    later = [request.outcome_date]
    if request.assessment is not None:
        later.append(request.assessment.outcome_date)
    return request.received >= coll.period_start or any(
        day is None or day >= coll.period_start for day in later
    )


def _plan_start(events: Sequence[CaseEvent]) -> dt.date | None:
    for event in events:
        if isinstance(event, FinalPlanIssued | PlanLastReviewed | PlanTransferred
                      | ReviewMeetingHeld):
            return event_date(event)
    return None


def _flags(events: Sequence[CaseEvent], decisions: tuple[str, ...]) -> Flags:
    """Mediation or an appeal after a decision letter of one of ``decisions`` (and before
    the next decision letter)."""
    mediation = tribunal = False
    active = False
    for event in events:
        if isinstance(event, DecisionLetterSent):
            active = event.decision in decisions
        elif active and isinstance(event, MediationRequested):
            mediation = True
        elif active and isinstance(event, AppealRegistered):
            tribunal = True
    return Flags(mediation, tribunal)


def _request(span: Sequence[CaseEvent], record: PersonRecord | None, coll: Collection) -> Request:
    first = span[0]
    requester = getattr(first, "requester", None)
    extra = first.model_extra or {}
    decision = next((e for e in span if isinstance(e, DecisionToAssessNotified)), None)
    outcome = None if decision is None else ("A" if decision.outcome == "assess" else "B")
    plan = next((e for e in span if isinstance(e, FinalPlanIssued)), None)
    moved = next((e for e in span if isinstance(e, PlanTransferred)
                  and (e.model_extra or {}).get("to_la")), None)
    exported = None
    if moved is not None and (plan is None or event_date(moved) < event_date(plan)):
        exported = str((moved.model_extra or {})["to_la"])
    return Request(
        received=event_date(first),
        source=REQUEST_SOURCES.get(str(requester)) if requester else None,
        rya=bool(extra.get("youth_accommodation")),
        outcome=outcome,
        outcome_date=decision.date if decision else None,
        flags=_flags(span, ("refuse_to_assess",)),
        exported=exported,
        assessment=_assessment(span, record) if outcome == "A" else None,
        active_plan=_active(span, record, coll) if plan is not None else None,
    )


def _historical(
    events: Sequence[CaseEvent], record: PersonRecord | None, coll: Collection
) -> Request:
    return Request(None, None, rya=False, outcome="H", outcome_date=None, flags=Flags(),
                   exported=None, assessment=None, active_plan=_active(events, record, coll))


def _assessment(span: Sequence[CaseEvent], record: PersonRecord | None) -> Assessment:
    plan = next((e for e in span if isinstance(e, FinalPlanIssued)), None)
    draft = next((e for e in span if isinstance(e, DraftPlanServed | DraftPlanPosted)), None)
    refused = next((e for e in span if isinstance(e, DecisionNotToIssueNotified)), None)
    outcome, when = None, None
    if plan is not None or draft is not None:
        outcome, when = "Y", event_date(plan or draft)  # type: ignore[arg-type]
    elif refused is not None:
        outcome, when = "N", refused.date
    week20 = None
    if plan is not None:
        week20 = any(isinstance(e, ExceptionRecorded) and "final_plan" in e.applies_to
                     for e in span)
    named = None
    if plan is not None:
        cease_date, reason = _ceased(span)
        named = NamedPlan(plan.date, cease_date, reason, _placements(record, plan.date))
    other = ("final_plan_contents", "cease_to_maintain", "amended_plan_contents",
             "refuse_to_amend", "refuse_to_reassess")
    return Assessment(outcome, when, _flags(span, ("refuse_to_issue",)), _flags(span, other),
                      week20, named)


def _ceased(events: Sequence[CaseEvent]) -> tuple[dt.date | None, str | None]:
    for event in events:
        if isinstance(event, ReviewDecisionNotified) and event.outcome == "cease":
            reason = (event.model_extra or {}).get("cease_reason")
            return event.date, None if reason is None else str(reason)
        if isinstance(event, PlanTransferred) and (event.model_extra or {}).get("to_la"):
            return event.date, "5"
        if isinstance(event, CaseClosed) and event.reason in ("plan_ceased", "moved_away"):
            # Closing says the plan ended, not why (moved within England or out of it?):
            # the validation report asks for the reason.
            return event.date, None
    return None, None


def _placements(record: PersonRecord | None, on: dt.date) -> tuple[Placement, ...]:
    """The record's placements current on ``on`` (no dates = current), main one first."""
    if record is None:
        return ()
    current = [
        p for p in record.placements
        if (p.entry_date is None or p.entry_date <= on)
        and (p.leaving_date is None or p.leaving_date >= on)
    ]
    return tuple(sorted(current, key=lambda p: p.rank))


def _active(
    events: Sequence[CaseEvent], record: PersonRecord | None, coll: Collection
) -> ActivePlan | None:
    """The plan as it stood at the census (None: ceased before the reference period)."""
    ceased, _ = _ceased(events)
    if ceased is not None and ceased < coll.period_start:
        return None
    arrived = next((e for e in events if isinstance(e, PlanTransferred)
                    and (e.model_extra or {}).get("from_la")), None)
    meetings = [e.date for e in events if isinstance(e, ReviewMeetingHeld)
                and coll.period_start <= e.date]
    decisions = [e for e in events if isinstance(e, ReviewDecisionNotified)]
    reviewed = [e.date for e in events if isinstance(e, PlanLastReviewed)]
    last = max([*(d.date for d in decisions), *reviewed], default=None)
    return ActivePlan(
        transfer_la=str((arrived.model_extra or {})["from_la"]) if arrived else None,
        review_meeting=max(meetings, default=None),
        review_outcome=_REVIEW_OUTCOMES[decisions[-1].outcome] if decisions else None,
        last_review=last,
        placements=_placements(record, coll.census),
        sen_needs=record.sen_needs if record else (),
    )
