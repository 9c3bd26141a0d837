"""Which events count, in what order, and whether they can all be true together.

The log is append-only: a mistake is corrected by a later event that ``supersedes`` the
wrong one (by its ``id``), or by an ``event_withdrawn`` naming it. ``effective_history``
resolves those corrections once, so every other part of the engine sees only the events
that stand, each with its position in the log for error messages.

``engine.stages.check_history`` then refuses histories that cannot have happened. Order is checked
only between events that are present (statutory-rules.md §12): a history may start
part-way, so a draft with no request on file is fine, but a final plan dated before the
request on file is not. The order rules are the ``ORDER`` table; the finer checks (a
decision recorded twice, advice received that was never requested) come from replaying
the stage machines in ``engine.stages``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from engine.errors import InvalidHistory
from engine.events import (
    AdviceReceived,
    AdviceRequested,
    AppointmentNotKept,
    CaseEvent,
    EventWithdrawn,
    event_date,
)

Indexed = tuple[int, CaseEvent]

# Events dated the same day are taken in process order, whatever order they were typed in:
# a request and the decision to assess logged the same day in reverse still mean request
# first. Types not listed (calendar facts, exceptions) go after those listed.
SAME_DAY_ORDER: tuple[str, ...] = (
    "child_date_of_birth", "move_notified_to_old_la", "plan_transferred", "new_la_notified",
    "request_received", "la_became_responsible", "decision_to_assess_notified",
    "advice_requested", "appointment_not_kept", "advice_received",
    "decision_not_to_issue_notified", "draft_plan_served", "draft_plan_posted",
    "school_consulted", "final_plan_issued", "plan_last_reviewed",
    "review_meeting_scheduled", "review_invitations_sent", "review_advice_circulated",
    "review_meeting_held", "review_report_sent", "review_decision_notified",
    "amendment_notice_served", "amended_plan_issued", "decision_not_to_amend_notified",
    "reassessment_request_received", "reassessment_decision_notified",
    "decision_letter_sent", "mediation_requested", "mediation_icb_told", "mediation_declined",
    "mediation_concluded", "mediation_certificate_issued", "mediation_agreement",
    "appeal_registered", "unopposed_appeal_notified", "tribunal_order",
    "tribunal_order_complied", "case_closed",
)
_RANK = {kind: rank for rank, kind in enumerate(SAME_DAY_ORDER)}


def sort_key(pair: Indexed) -> tuple[dt.date, int, int]:
    """Date, then process order within the day, then position in the log."""
    index, event = pair
    return event_date(event), _RANK.get(event.type, len(_RANK)), index

_ASSESSMENT_TRIGGERS = ("request_received", "la_became_responsible")
_WHY_TRIGGER = "the request (or s.24 responsibility) it answers must come first"


def _advice_keys(anchor: CaseEvent) -> tuple[Hashable, ...]:
    """The keys an advice request is found under: its ``advice_id``, its adviser, any."""
    assert isinstance(anchor, AdviceRequested)
    return (("id", anchor.advice_id), ("advisor", anchor.advisor), "any")


def _same_advice(later: CaseEvent) -> Hashable:
    """Advice (or a missed appointment) pairs with its request by ``advice_id``, else adviser;
    a missed appointment naming no adviser follows whichever request came first."""
    assert isinstance(later, AdviceReceived | AppointmentNotKept)
    if later.advice_id is not None:
        return ("id", later.advice_id)
    if later.advisor is not None:
        return ("advisor", later.advisor)
    return "any"


@dataclass(frozen=True)
class After:
    """``event`` cannot be dated before the earliest of ``anchors`` present in the history.

    ``pairs`` narrows the anchors to the ones that event belongs to (advice to its
    request): it gives the key the event looks its anchor up by, and ``keys`` the keys
    each anchor is filed under, so the check is one pass (linear in the history).
    """

    event: str
    anchors: tuple[str, ...]
    why: str
    pairs: Callable[[CaseEvent], Hashable] | None = None
    keys: Callable[[CaseEvent], tuple[Hashable, ...]] | None = None


ORDER: tuple[After, ...] = (
    After("decision_to_assess_notified", _ASSESSMENT_TRIGGERS, _WHY_TRIGGER),
    After("advice_requested", _ASSESSMENT_TRIGGERS, _WHY_TRIGGER),
    After("decision_not_to_issue_notified", _ASSESSMENT_TRIGGERS, _WHY_TRIGGER),
    After("draft_plan_served", _ASSESSMENT_TRIGGERS, _WHY_TRIGGER),
    After("draft_plan_posted", _ASSESSMENT_TRIGGERS, _WHY_TRIGGER),
    After("final_plan_issued", _ASSESSMENT_TRIGGERS, _WHY_TRIGGER),
    After(
        "decision_not_to_issue_notified", ("decision_to_assess_notified",),
        "a decision not to issue follows the assessment the LA decided to carry out",
    ),
    After(
        "draft_plan_served", ("decision_to_assess_notified",),
        "a draft plan follows the decision to assess",
    ),
    After(
        "draft_plan_posted", ("decision_to_assess_notified",),
        "a draft plan follows the decision to assess",
    ),
    After(
        "advice_received", ("advice_requested",),
        "advice cannot arrive before it was requested", _same_advice, _advice_keys,
    ),
    After(
        "appointment_not_kept", ("advice_requested",),
        "the adviser's appointment follows the request for advice", _same_advice, _advice_keys,
    ),
    After(
        "review_decision_notified", ("review_meeting_held",),
        "the review decision follows the review meeting (reg 20(10)); an imported older "
        "review whose meeting is not on file can be recorded as plan_last_reviewed",
    ),
    After(
        "review_report_sent", ("review_meeting_held",),
        "the review report follows the review meeting (reg 20(7))",
    ),
    After(
        "amended_plan_issued", ("amendment_notice_served",),
        "the amended plan follows the notice of proposed amendments (reg 22)",
    ),
    After(
        "decision_not_to_amend_notified", ("amendment_notice_served",),
        "deciding not to amend follows the notice of proposed amendments (reg 22(4))",
    ),
    After(
        "mediation_requested", ("decision_letter_sent",),
        "mediation is about a decision the LA has already sent (reg 33)",
    ),
    After(
        "mediation_declined", ("decision_letter_sent",),
        "mediation is about a decision the LA has already sent (reg 33)",
    ),
    After(
        "mediation_icb_told", ("mediation_requested",),
        "the LA tells the ICB once the parent has asked for mediation",
    ),
    After(
        "mediation_concluded", ("mediation_requested",),
        "mediation ends after it was asked for",
    ),
    After(
        "mediation_agreement", ("mediation_requested",),
        "a mediation agreement comes out of a mediation that was asked for",
    ),
    After(
        "mediation_certificate_issued", ("mediation_requested", "mediation_declined"),
        "a certificate follows the parent's request for, or refusal of, mediation",
    ),
    After(
        "appeal_registered", ("decision_letter_sent",),
        "an appeal is against a decision the LA has already sent",
    ),
    After(
        "tribunal_order", ("appeal_registered",),
        "a tribunal order follows the appeal",
    ),
    After(
        "unopposed_appeal_notified", ("appeal_registered",),
        "the LA can only decline to oppose an appeal that has been made",
    ),
    After(
        "tribunal_order_complied", ("tribunal_order", "unopposed_appeal_notified"),
        "complying follows the order (or the decision not to oppose)",
    ),
    After(
        "reassessment_decision_notified", ("reassessment_request_received",),
        "the decision on a re-assessment request follows the request",
    ),
    After(
        "plan_transferred", ("move_notified_to_old_la",),
        "the old LA transfers the plan once it knows of the move (reg 15(2))",
    ),
    After(
        "new_la_notified", ("plan_transferred",),
        "the new LA's notice follows the transfer (reg 15(4))",
    ),
)


def effective_history(events: Sequence[CaseEvent]) -> list[Indexed]:
    """The events that stand after corrections, in date order, with their log positions.

    An ``event_withdrawn`` removes the event whose ``id`` it names; an event whose
    ``supersedes`` names an earlier event's ``id`` replaces it (the replacement stays).
    Withdrawing a correction brings back what it replaced. The withdrawals themselves
    are not part of the result. The sort is by ``engine.events.event_date``; same-day
    events go in process order (``SAME_DAY_ORDER``), then in log order.

    Args:
        events: the case's log as recorded.

    Returns:
        ``(index in events, event)`` pairs in date order.

    Raises:
        InvalidHistory: a duplicate ``id``; a withdrawal or ``supersedes`` naming an
            unknown id; withdrawing or superseding a withdrawal; an event withdrawn or
            superseded twice; an event superseding itself.
    """
    by_id = _index_ids(events)
    withdrawn = _withdrawn(events, by_id)
    replaced: dict[int, int] = {}
    for index, event in enumerate(events):
        if event.supersedes is None or index in withdrawn:
            continue
        target = _target(events, by_id, index, event.supersedes, "supersedes")
        if target == index:
            raise InvalidHistory(f"{event.type} supersedes itself ({event.supersedes!r})",
                                 index=index)
        if isinstance(event, EventWithdrawn):
            raise InvalidHistory(
                "event_withdrawn cannot supersede another event; name it in 'withdraws'",
                index=index,
            )
        if target in replaced:
            raise InvalidHistory(
                f"{event.type} supersedes {event.supersedes!r}, already superseded by "
                f"event #{replaced[target] + 1}",
                index=index,
            )
        replaced[target] = index
    standing = [
        (i, e) for i, e in enumerate(events)
        if i not in withdrawn and i not in replaced and not isinstance(e, EventWithdrawn)
    ]
    return sorted(standing, key=sort_key)


def _index_ids(events: Sequence[CaseEvent]) -> dict[str, int]:
    by_id: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.id is None:
            continue
        if event.id in by_id:
            raise InvalidHistory(
                f"{event.type} reuses id {event.id!r} of event #{by_id[event.id] + 1}",
                index=index,
            )
        by_id[event.id] = index
    return by_id


def _target(
    events: Sequence[CaseEvent], by_id: dict[str, int], index: int, ref: str, field: str
) -> int:
    if ref not in by_id:
        raise InvalidHistory(
            f"{events[index].type} {field} {ref!r}, but no event has that id", index=index
        )
    target = by_id[ref]
    if isinstance(events[target], EventWithdrawn):
        raise InvalidHistory(
            f"{events[index].type} {field} {ref!r}, which is itself a withdrawal; a withdrawal "
            "is final (record the event again instead)",
            index=index,
        )
    return target


def _withdrawn(events: Sequence[CaseEvent], by_id: dict[str, int]) -> dict[int, int]:
    """Withdrawn event position -> position of the withdrawal."""
    withdrawn: dict[int, int] = {}
    for index, event in enumerate(events):
        if not isinstance(event, EventWithdrawn):
            continue
        target = _target(events, by_id, index, event.withdraws, "withdraws")
        if target in withdrawn:
            raise InvalidHistory(
                f"event_withdrawn withdraws {event.withdraws!r}, already withdrawn by "
                f"event #{withdrawn[target] + 1}",
                index=index,
            )
        withdrawn[target] = index
    return withdrawn


# ORDER filed by event type, once: the rows an event must follow (by its own type), and
# the rows it anchors (by an anchor type), each with its row number.
_FOLLOWS: dict[str, list[tuple[int, After]]] = {}
_ANCHORS: dict[str, list[tuple[int, After]]] = {}
for _number, _rule in enumerate(ORDER):
    _FOLLOWS.setdefault(_rule.event, []).append((_number, _rule))
    for _kind in _rule.anchors:
        _ANCHORS.setdefault(_kind, []).append((_number, _rule))


def _earliest_anchors(
    history: Sequence[Indexed],
) -> dict[tuple[int, Hashable], tuple[dt.date, CaseEvent]]:
    """The earliest anchor of each (ORDER row, key), with its date, in one pass: the
    history is in date order, so the first one filed under a key is the earliest."""
    earliest: dict[tuple[int, Hashable], tuple[dt.date, CaseEvent]] = {}
    for _, anchor in history:
        rows = _ANCHORS.get(anchor.type)
        if rows is None:
            continue
        dated = (event_date(anchor), anchor)
        for number, rule in rows:
            for key in rule.keys(anchor) if rule.keys else ("any",):
                earliest.setdefault((number, key), dated)
    return earliest


def check_order(history: Sequence[Indexed]) -> None:
    """Refuse the first event (in date order) dated before an event it must follow.

    Raises:
        InvalidHistory: naming both events and dates, at the later-dated event's index.
    """
    earliest = _earliest_anchors(history)
    for index, event in history:
        rows = _FOLLOWS.get(event.type)
        if rows is None:
            continue
        day = event_date(event)
        for number, rule in rows:
            found = earliest.get((number, rule.pairs(event) if rule.pairs else "any"))
            if found is None:
                continue
            first_day, first = found
            if day < first_day:
                raise InvalidHistory(
                    f"{event.type} on {day} is dated before {first.type} on {first_day}: "
                    f"{rule.why}",
                    index=index,
                )
