"""The two processes a case goes through, as transition tables, and the fold over them.

An EHC needs assessment runs request -> decision to assess -> advice -> draft ->
consultation -> final plan, or ends in a refusal to assess or a decision not to issue
(a new request then starts again). Once a plan is in force, the annual review runs
meeting -> decision (maintain / amend / cease) -> amendment notice -> amended plan (or a
decision not to amend) -> plan in force. Both are plain data: ``TRANSITIONS`` maps
``(stage, label)`` to the next stage, where the label is the event type, qualified by the
field that decides the outcome (``decision_to_assess_notified:refuse``). ``GUARDS`` add the
few conditions a table cannot express, each returning the reason it refuses.

Histories may start part-way (statutory-rules.md §12), so the initial stages accept the
events an imported case commonly starts with, and the tables allow steps to be missing
from the record (a request and a final plan alone, as SEN2 returns record them); what
they refuse is what cannot have happened: a decision recorded twice, a second final plan
with no re-assessment, a review meeting after the plan ceased. Events that move no stage
(calendar facts, exceptions, advice, mediation, appeals, transfers, forecasts) are in
``NEUTRAL``; advice requests are still tracked so advice received can be matched.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum

from engine.errors import IllegalTransition, InvalidHistory
from engine.events import (
    MAX_EVENTS,
    AdviceReceived,
    AdviceRequested,
    CaseEvent,
    PhaseTransferExpected,
    event_date,
    too_many_events,
)
from engine.history import Indexed, check_order, effective_history


class AssessmentStage(StrEnum):
    NOT_STARTED = "not_started"
    REQUESTED = "requested"
    REFUSED = "refused"
    ASSESSING = "assessing"
    DRAFT_ISSUED = "draft_issued"
    PLAN_ISSUED = "plan_issued"
    NOT_ISSUED = "not_issued"
    REASSESSMENT_REQUESTED = "reassessment_requested"
    CLOSED = "closed"


class ReviewStage(StrEnum):
    NO_PLAN = "no_plan"
    PLAN_IN_FORCE = "plan_in_force"
    MEETING_HELD = "meeting_held"
    AMENDING = "amending"  # decided to amend; the notice of proposed amendments is due
    NOTICE_SERVED = "notice_served"
    CEASED = "ceased"
    CLOSED = "closed"


Stage = AssessmentStage | ReviewStage
A = AssessmentStage
R = ReviewStage

STAGE_TEXT: Mapping[Stage, str] = {
    A.NOT_STARTED: "no assessment request on file",
    A.REQUESTED: "request received, decision whether to assess pending",
    A.REFUSED: "the LA refused to assess",
    A.ASSESSING: "assessment under way",
    A.DRAFT_ISSUED: "draft plan issued",
    A.PLAN_ISSUED: "final plan issued",
    A.NOT_ISSUED: "the LA decided not to issue a plan",
    A.REASSESSMENT_REQUESTED: "re-assessment requested, decision pending",
    R.NO_PLAN: "no plan on file",
    R.PLAN_IN_FORCE: "plan in force",
    R.MEETING_HELD: "review meeting held, decision pending",
    R.AMENDING: "the LA decided to amend, notice of proposed amendments pending",
    R.NOTICE_SERVED: "amendment notice served, amended plan pending",
    R.CEASED: "the LA decided to cease the plan",
    A.CLOSED: "case closed",
    R.CLOSED: "case closed",
}

# The field whose value decides where an event leads; the label is "type:value".
LABEL_FIELDS: Mapping[str, str] = {
    "decision_to_assess_notified": "outcome",
    "reassessment_decision_notified": "outcome",
    "review_decision_notified": "outcome",
    "tribunal_order": "order",
    "unopposed_appeal_notified": "appeal",
}


def label(event: CaseEvent) -> str:
    """The event's row name in the tables: its type, plus its outcome where one matters."""
    field = LABEL_FIELDS.get(event.type)
    return f"{event.type}:{getattr(event, field)}" if field else event.type


def _rows(sources: Iterable[Stage], event: str, target: Stage) -> dict[tuple[Stage, str], Stage]:
    return {(source, event): target for source in sources}


_DRAFTS = ("draft_plan_served", "draft_plan_posted")
_OPEN_REQUEST = (A.NOT_STARTED, A.REFUSED, A.NOT_ISSUED)

ASSESSMENT: Mapping[tuple[Stage, str], Stage] = {
    # A request (or s.24 responsibility) opens an assessment; again after a refusal.
    **_rows(_OPEN_REQUEST, "request_received", A.REQUESTED),
    **_rows(_OPEN_REQUEST, "la_became_responsible", A.REQUESTED),
    (A.PLAN_ISSUED, "request_received"): A.REQUESTED,  # guarded: only once the plan ceased
    **_rows((A.NOT_STARTED, A.REQUESTED), "decision_to_assess_notified:assess", A.ASSESSING),
    **_rows((A.NOT_STARTED, A.REQUESTED), "decision_to_assess_notified:refuse", A.REFUSED),
    # Drafts: the decision to assess may be missing from an imported record; a revised
    # draft may follow the first.
    **{(s, d): A.DRAFT_ISSUED for d in _DRAFTS
       for s in (A.NOT_STARTED, A.REQUESTED, A.ASSESSING, A.DRAFT_ISSUED)},
    **_rows((A.NOT_STARTED, A.REQUESTED, A.ASSESSING, A.DRAFT_ISSUED),
            "decision_not_to_issue_notified", A.NOT_ISSUED),
    **_rows((A.NOT_STARTED, A.REQUESTED, A.ASSESSING, A.DRAFT_ISSUED),
            "final_plan_issued", A.PLAN_ISSUED),
    # Re-assessment of a plan in force (regs 24-27) runs the assessment again.
    **_rows((A.NOT_STARTED, A.PLAN_ISSUED), "reassessment_request_received",
            A.REASSESSMENT_REQUESTED),
    **_rows((A.NOT_STARTED, A.PLAN_ISSUED, A.REASSESSMENT_REQUESTED),
            "reassessment_decision_notified:reassess", A.ASSESSING),
    **_rows((A.NOT_STARTED, A.REASSESSMENT_REQUESTED), "reassessment_decision_notified:refuse",
            A.PLAN_ISSUED),
    # Tribunal orders and unopposed appeals (regs 44-45) reopen the assessment.
    **_rows((A.NOT_STARTED, A.REFUSED), "tribunal_order:assess", A.REQUESTED),
    **_rows((A.NOT_STARTED, A.REFUSED), "unopposed_appeal_notified:refuse_to_assess",
            A.REQUESTED),
    **_rows((A.NOT_STARTED, A.PLAN_ISSUED, A.REASSESSMENT_REQUESTED), "tribunal_order:reassess",
            A.ASSESSING),
    **_rows((A.NOT_STARTED, A.PLAN_ISSUED, A.REASSESSMENT_REQUESTED),
            "unopposed_appeal_notified:refuse_to_reassess", A.ASSESSING),
    **_rows((A.NOT_STARTED, A.REFUSED, A.NOT_ISSUED), "tribunal_order:make_and_maintain_plan",
            A.ASSESSING),
    # Closing (plan ceased, moved away, request withdrawn) ends the case from any stage.
    **_rows(tuple(s for s in AssessmentStage if s is not A.CLOSED), "case_closed", A.CLOSED),
}

_PLAN_STAGES = (R.NO_PLAN, R.PLAN_IN_FORCE, R.MEETING_HELD, R.AMENDING, R.NOTICE_SERVED)
_AFTER_DECISION = (R.MEETING_HELD, R.AMENDING, R.NOTICE_SERVED)

REVIEW: Mapping[tuple[Stage, str], Stage] = {
    # A final plan (first, replacement after re-assessment, or after a cease) is in force.
    **_rows((*_PLAN_STAGES, R.CEASED), "final_plan_issued", R.PLAN_IN_FORCE),
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, R.MEETING_HELD, R.AMENDING), "plan_last_reviewed",
            R.PLAN_IN_FORCE),
    # A reconvened meeting, or the next year's after an amendment that never finished.
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, *_AFTER_DECISION), "review_meeting_held",
            R.MEETING_HELD),
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, R.MEETING_HELD), "review_decision_notified:maintain",
            R.PLAN_IN_FORCE),
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, R.MEETING_HELD), "review_decision_notified:amend",
            R.AMENDING),
    (R.NOTICE_SERVED, "review_decision_notified:amend"): R.NOTICE_SERVED,  # guarded
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, R.MEETING_HELD), "review_decision_notified:cease",
            R.CEASED),
    # Devon: the notice goes with the decision, so a notice may stand for both; a plan
    # may also be amended outside a review.
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, *_AFTER_DECISION), "amendment_notice_served",
            R.NOTICE_SERVED),
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, *_AFTER_DECISION), "amended_plan_issued",
            R.PLAN_IN_FORCE),
    **_rows((R.NO_PLAN, R.PLAN_IN_FORCE, R.AMENDING, R.NOTICE_SERVED),
            "decision_not_to_amend_notified", R.PLAN_IN_FORCE),
    # Tribunal orders and unopposed appeals about a plan's contents or its ceasing.
    **_rows(_PLAN_STAGES, "tribunal_order:amend_plan", R.AMENDING),
    **_rows(_PLAN_STAGES, "tribunal_order:name_school", R.AMENDING),
    **_rows(_PLAN_STAGES, "unopposed_appeal_notified:contents", R.AMENDING),
    **_rows((*_PLAN_STAGES, R.CEASED), "tribunal_order:continue_to_maintain", R.PLAN_IN_FORCE),
    **_rows((*_PLAN_STAGES, R.CEASED), "unopposed_appeal_notified:cease", R.PLAN_IN_FORCE),
    **_rows((*_PLAN_STAGES, R.CEASED), "tribunal_order:cease_dismissed", R.CEASED),
    **_rows(tuple(s for s in ReviewStage if s is not R.CLOSED), "case_closed", R.CLOSED),
}

TRANSITIONS: Mapping[tuple[Stage, str], Stage] = {**ASSESSMENT, **REVIEW}

# Events that never move a stage. Phase transfers only set expectations (reg 18 dates).
NEUTRAL: frozenset[str] = frozenset({
    "school_closure", "phase_transfer_expected", "exception_recorded", "absence_from_area",
    "child_date_of_birth", "advice_requested", "advice_received", "appointment_not_kept",
    "school_consulted", "review_meeting_scheduled", "review_invitations_sent",
    "review_advice_circulated", "review_report_sent", "decision_letter_sent",
    "mediation_requested", "mediation_icb_told", "mediation_declined", "mediation_concluded",
    "mediation_certificate_issued", "mediation_agreement", "appeal_registered",
    "tribunal_order_complied", "move_notified_to_old_la", "plan_transferred",
    "new_la_notified", "event_withdrawn",
})

PROCESSES: Mapping[str, Mapping[tuple[Stage, str], Stage]] = {
    "assessment": ASSESSMENT, "review": REVIEW,
}
_VOCABULARY = {name: {lbl for _, lbl in table} for name, table in PROCESSES.items()}
# What an import may begin with: every row leaving an initial stage.
FIRST_EVENTS: Mapping[str, frozenset[str]] = {
    "assessment": frozenset(lbl for s, lbl in ASSESSMENT if s is A.NOT_STARTED),
    "review": frozenset(lbl for s, lbl in REVIEW if s is R.NO_PLAN),
}


@dataclasses.dataclass(frozen=True, order=True)
class OpenAdvice:
    """A reg 6 advice request not yet answered."""

    requested_on: dt.date
    advisor: str
    advice_id: str | None


@dataclasses.dataclass(frozen=True)
class CaseState:
    """Where a case stands after its history: derived only by ``replay``/``apply``."""

    assessment: AssessmentStage = A.NOT_STARTED
    review: ReviewStage = R.NO_PLAN
    assessment_since: dt.date | None = None
    review_since: dt.date | None = None
    # The latest date each event type was applied, for messages and callers' displays.
    last: Mapping[str, dt.date] = dataclasses.field(default_factory=dict)
    open_advice: tuple[OpenAdvice, ...] = ()  # sorted
    # The same requests found by advice_id and by adviser (earliest first), so matching an
    # answer is a look-up, not a scan: replay stays linear in the number of events.
    open_by_id: Mapping[str, OpenAdvice] = dataclasses.field(default_factory=dict)
    open_by_advisor: Mapping[str, tuple[OpenAdvice, ...]] = dataclasses.field(
        default_factory=dict
    )
    advice_requests: int = 0
    review_meetings: int = 0
    amendment_notices: int = 0
    review_decided: bool = False  # a decision has followed the latest review meeting
    expected_transfers: tuple[tuple[dt.date, str, str], ...] = ()  # (date, from, to)

    def stage(self, process: str) -> Stage:
        return self.assessment if process == "assessment" else self.review

    def on(self, event_type: str) -> str:
        """The latest date of ``event_type`` as text, for messages."""
        day = self.last.get(event_type)
        return day.isoformat() if day else "(not on file)"


Guard = Callable[[CaseState, CaseEvent], str | None]


def _plan_must_have_ceased(state: CaseState, event: CaseEvent) -> str | None:
    if state.review is R.CEASED:
        return None
    return (f"a plan is in force (final plan issued on {state.on('final_plan_issued')}); "
            "a new request for assessment needs the plan to have ceased, and a request to "
            "re-assess is recorded as reassessment_request_received")


def _decision_needs_meeting(state: CaseState, event: CaseEvent) -> str | None:
    if state.review_meetings == 0:
        return None  # this history does not record meetings: an import of decisions only
    return (f"no review meeting since the last one on {state.on('review_meeting_held')}, "
            f"whose decision was notified on {state.on('review_decision_notified')}; "
            "record the review_meeting_held this decision follows")


def _decision_not_twice(state: CaseState, event: CaseEvent) -> str | None:
    if not state.review_decided:
        return None
    return (f"the review decision for the meeting on {state.on('review_meeting_held')} was "
            f"already notified on {state.on('review_decision_notified')}")


def _amendment_needs_notice(state: CaseState, event: CaseEvent) -> str | None:
    if state.amendment_notices == 0:
        return None  # this history does not record amendment notices
    return (f"no amendment notice is open: the last one, served on "
            f"{state.on('amendment_notice_served')}, was already concluded; record the "
            "amendment_notice_served this follows")


GUARDS: Mapping[tuple[Stage, str], Guard] = {
    (A.PLAN_ISSUED, "request_received"): _plan_must_have_ceased,
    **{(R.PLAN_IN_FORCE, f"review_decision_notified:{o}"): _decision_needs_meeting
       for o in ("maintain", "amend", "cease")},
    (R.NOTICE_SERVED, "review_decision_notified:amend"): _decision_not_twice,
    (R.PLAN_IN_FORCE, "amended_plan_issued"): _amendment_needs_notice,
    (R.PLAN_IN_FORCE, "decision_not_to_amend_notified"): _amendment_needs_notice,
}


def _matching_advice(state: CaseState, event: AdviceReceived) -> OpenAdvice | None:
    """The open request an answer meets: the one with its ``advice_id``, else the earliest
    open one to its adviser."""
    if event.advice_id is not None:
        return state.open_by_id.get(event.advice_id)
    waiting = state.open_by_advisor.get(event.advisor or "", ())
    return waiting[0] if waiting else None


def _opened(state: CaseState, advice: OpenAdvice) -> dict[str, object]:
    requests = list(state.open_advice)
    bisect.insort(requests, advice)
    by_id = dict(state.open_by_id)
    if advice.advice_id is not None:
        by_id.setdefault(advice.advice_id, advice)
    waiting = list(state.open_by_advisor.get(advice.advisor, ()))
    bisect.insort(waiting, advice)
    return {"open_advice": tuple(requests), "open_by_id": by_id,
            "open_by_advisor": {**state.open_by_advisor, advice.advisor: tuple(waiting)}}


def _answered(state: CaseState, advice: OpenAdvice | None) -> dict[str, object]:
    if advice is None:
        return {}
    requests = state.open_advice
    at = bisect.bisect_left(requests, advice)
    by_id = dict(state.open_by_id)
    if advice.advice_id is not None and by_id.get(advice.advice_id) is advice:
        del by_id[advice.advice_id]
    waiting = state.open_by_advisor[advice.advisor]
    place = bisect.bisect_left(waiting, advice)
    return {"open_advice": requests[:at] + requests[at + 1:], "open_by_id": by_id,
            "open_by_advisor": {**state.open_by_advisor,
                                advice.advisor: waiting[:place] + waiting[place + 1:]}}


def _advice_must_be_open(state: CaseState, event: CaseEvent) -> str | None:
    assert isinstance(event, AdviceReceived)
    if state.advice_requests == 0 or _matching_advice(state, event) is not None:
        return None  # a history with no advice requests at all may still record advice
    which = f"advice_id {event.advice_id!r}" if event.advice_id else f"adviser {event.advisor!r}"
    still_open = ", ".join(
        f"{a.advisor} requested {a.requested_on}" for a in state.open_advice
    ) or "none"
    return f"no open advice request for {which} (open requests: {still_open})"


EVENT_GUARDS: Mapping[str, Guard] = {"advice_received": _advice_must_be_open}

def _review_decision_refused(state: CaseState, event: CaseEvent) -> str:
    if state.review is R.NOTICE_SERVED and not state.review_decided:
        return (f"an amendment notice was served on {state.on('amendment_notice_served')} "
                f"proposing amendments, which a decision to {label(event).split(':')[1]} "
                "contradicts; supersede whichever is wrong")
    return (f"a review decision is already on file ({STAGE_TEXT[state.review]} since "
            f"{state.review_since}); record the next review_meeting_held first")


_REFUSALS: Mapping[str, Callable[[CaseState, CaseEvent], str]] = {
    "decision_to_assess_notified": lambda s, _: (
        f"the decision whether to assess is already on file ({STAGE_TEXT[s.assessment]} "
        f"since {s.assessment_since}); a decision cannot be recorded twice, and a new one "
        "needs a new request_received"),
    "final_plan_issued": lambda s, _: (
        f"a final plan was already issued on {s.on('final_plan_issued')} for the request "
        f"received on {s.on('request_received')}; another plan needs a re-assessment or "
        "tribunal order on file first"),
    "review_decision_notified": _review_decision_refused,
    "review_meeting_held": lambda s, _: (
        f"the LA decided on {s.review_since} to cease the plan; record the tribunal order, "
        "unopposed appeal or new final plan that restored it first"),
}


def _refusal(state: CaseState, process: str, event: CaseEvent) -> str:
    stage = state.stage(process)
    since = state.assessment_since if process == "assessment" else state.review_since
    specific = _REFUSALS.get(event.type)
    why = specific(state, event) if specific else (
        f"not possible at this point: {STAGE_TEXT[stage]}" + (f" since {since}" if since else "")
    )
    return f"{label(event)} on {event_date(event)}: {why}"


def _bookkeeping(state: CaseState, event: CaseEvent, day: dt.date) -> dict[str, object]:
    """What ``event`` (dated ``day``) changes in the state besides the stages."""
    changes: dict[str, object] = {"last": {**state.last, event.type: day}}
    if isinstance(event, AdviceRequested):
        opened = OpenAdvice(event.received_on or day, event.advisor, event.advice_id)
        changes.update(_opened(state, opened))
        changes["advice_requests"] = state.advice_requests + 1
    elif isinstance(event, AdviceReceived):
        changes.update(_answered(state, _matching_advice(state, event)))
    elif isinstance(event, PhaseTransferExpected):
        expected = (event.transfer_date, event.from_, event.to)
        changes["expected_transfers"] = tuple(sorted({*state.expected_transfers, expected}))
    elif event.type == "review_meeting_held":
        changes.update(review_meetings=state.review_meetings + 1, review_decided=False)
    elif event.type == "review_decision_notified":
        changes["review_decided"] = True
    elif event.type == "amendment_notice_served":
        changes["amendment_notices"] = state.amendment_notices + 1
    return changes


def apply(state: CaseState, event: CaseEvent) -> CaseState:
    """The state after ``event``, or the reason it cannot happen now.

    Args:
        state: the case so far (``CaseState()`` for an empty history).
        event: the next event in date order.

    Returns:
        The new state.

    Raises:
        IllegalTransition: with the stage, the event type and a readable reason.
    """
    if state.assessment is A.CLOSED:
        raise IllegalTransition(A.CLOSED.value, event.type, _prefixed(event, (
            f"the case was closed on {state.on('case_closed')}: withdraw the closing event "
            "(event_withdrawn) to reopen it, or open a new case"
        )))
    lbl = label(event)
    moves: dict[str, Stage] = {}
    for process, table in PROCESSES.items():
        if lbl not in _VOCABULARY[process]:
            continue
        stage = state.stage(process)
        target = table.get((stage, lbl))
        guard = GUARDS.get((stage, lbl))
        reason = _refusal(state, process, event) if target is None else (
            guard(state, event) if guard else None
        )
        if reason is not None:
            raise IllegalTransition(stage.value, event.type, _prefixed(event, reason))
        assert target is not None
        moves[process] = target
    event_guard = EVENT_GUARDS.get(event.type)
    reason = event_guard(state, event) if event_guard else None
    if reason is not None:
        stage = state.assessment
        raise IllegalTransition(stage.value, event.type, _prefixed(event, reason))
    day = event_date(event)
    return _replaced(state, {**_moved(moves, day), **_bookkeeping(state, event, day)})


def _replaced(state: CaseState, changes: Mapping[str, object]) -> CaseState:
    """``dataclasses.replace(state, **changes)`` without re-running ``__init__`` over every
    field: replay makes one state per event, and ``replace`` cost more than the rest of
    ``apply``. Equivalent while ``CaseState`` derives nothing in ``__post_init__``."""
    new = object.__new__(CaseState)
    vars(new).update(vars(state), **changes)
    return new


def _prefixed(event: CaseEvent, reason: str) -> str:
    start = f"{label(event)} on {event_date(event)}"
    return reason if reason.startswith(start) else f"{start}: {reason}"


def _moved(moves: Mapping[str, Stage], day: dt.date) -> dict[str, object]:
    changes: dict[str, object] = {}
    if "assessment" in moves:
        changes.update(assessment=moves["assessment"], assessment_since=day)
    if "review" in moves:
        changes.update(review=moves["review"], review_since=day)
    return changes


def replay_history(history: Sequence[Indexed]) -> CaseState:
    """Fold an effective history (``engine.history.effective_history``) into its state.

    Raises:
        IllegalTransition: at the offending event's position in the log.
    """
    state = CaseState()
    for index, event in history:
        try:
            state = apply(state, event)
        except IllegalTransition as exc:
            raise IllegalTransition(exc.stage, exc.event_type, exc.reason, index=index) from None
    return state


def check_history(events: Sequence[CaseEvent]) -> list[Indexed]:
    """Refuse a history that cannot have happened, saying why and at which event.

    Args:
        events: the case's log as recorded (corrections included).

    Returns:
        The events that stand, as ``effective_history`` gives them, so callers need not
        resolve the corrections a second time.

    Raises:
        InvalidHistory: corrections that do not resolve, or events out of order.
        IllegalTransition: an event the case's stage does not allow (a decision
            recorded twice, a second final plan for one request...).
    """
    return checked_state(events)[0]


def checked_state(events: Sequence[CaseEvent]) -> tuple[list[Indexed], CaseState]:
    """``check_history``, with the state the history replays to (checking replays it)."""
    if len(events) > MAX_EVENTS:
        raise InvalidHistory(too_many_events())
    history = effective_history(events)
    check_order(history)
    return history, replay_history(history)


def replay(events: Sequence[CaseEvent]) -> CaseState:
    """The case's state after its whole log, corrections resolved, in date order.

    Raises:
        InvalidHistory: corrections that do not resolve (see ``effective_history``).
        IllegalTransition: the first event its stage does not allow.
    """
    return replay_history(effective_history(events))


def mermaid(process: str) -> str:
    """The process's transition table as a Mermaid state diagram (for the docs)."""
    lines = ["stateDiagram-v2"]
    initial = A.NOT_STARTED if process == "assessment" else R.NO_PLAN
    lines.append(f"    [*] --> {initial.value}")
    for (source, lbl), target in PROCESSES[process].items():
        lines.append(f"    {source.value} --> {target.value} : {lbl.replace(':', ' = ')}")
    return "\n".join(lines) + "\n"


def events_allowed(state: CaseState, process: str) -> tuple[str, ...]:
    """The event types a case in ``state`` may record next (a form offers only these):
    those its stage has a transition for, plus the events that move no stage. A guard
    may still refuse one on its details (a second review decision, say), with its reason.
    """
    if state.assessment is A.CLOSED:
        return ()
    stage = state.stage(process)
    moving = {lbl.partition(":")[0] for (source, lbl) in PROCESSES[process] if source is stage}
    other = "review" if process == "assessment" else "assessment"
    moving |= {lbl.partition(":")[0] for (source, lbl) in PROCESSES[other]
               if source is state.stage(other)}
    return tuple(sorted((moving | NEUTRAL) - {"event_withdrawn"}))
