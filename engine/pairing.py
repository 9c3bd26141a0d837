"""What belongs to what on a case with more than one decision (docs/case-format.md §6a).

A duty belongs to the decision that gave rise to it, not to whatever came before it:

* a mediation (requested or declined), its ICB notice, its conclusion, agreement and
  certificate, and an appeal, belong to one **decision letter** (R21, R26). The event may
  name it (``decision_letter``: the letter's ``id``); otherwise a request or refusal of
  mediation belongs to the latest letter sent on or before it within R21's two months,
  and the later mediation events to the mediation they end;
* an **amendment notice** belongs to what required the amendment: the review meeting
  whose decision was to amend (or is still to come, the notice standing for it, Devon),
  or a Tribunal order or unopposed appeal that requires the plan amended (R12c, A8). A
  notice that nothing on file required has only its own reg 22 clock;
* a **review meeting** recorded as held without a ``review_meeting_scheduled`` for its
  date has its reg 20(3)-(4) notice dates reported from the meeting itself (R09).

Built once per projection, in one pass over the history in date order, so pairing stays
linear in the number of events. Where the pairing had to be guessed between candidates,
or found nothing, it says so as a ``CaseWarning``: never silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.errors import InvalidHistory
from engine.events import (
    AmendedPlanIssued,
    AmendmentNoticeServed,
    AppealRegistered,
    CaseEvent,
    DecisionLetterSent,
    DecisionNotToAmendNotified,
    FinalPlanIssued,
    MediationAgreement,
    MediationCertificateIssued,
    MediationConcluded,
    MediationDeclined,
    MediationIcbTold,
    MediationRequested,
    PlanLastReviewed,
    ReviewDecisionNotified,
    ReviewMeetingHeld,
    ReviewMeetingScheduled,
    TribunalOrder,
    UnopposedAppealNotified,
    event_date,
)
from engine.periods import add_months, long_date
from engine.rules import REG44
from engine.status import CaseWarning

Indexed = tuple[int, CaseEvent]
_OPENS_MEDIATION = (MediationRequested, MediationDeclined)
_ENDS_MEDIATION = (MediationIcbTold, MediationConcluded, MediationAgreement,
                   MediationCertificateIssued)
AMENDING_ORDERS = ("amend_plan", "name_school")
AMENDING_APPEALS = ("contents", "cease")
AGREEABLE = tuple(sorted({order for _, orders, _, _ in REG44 for order in orders}))


@dataclass(frozen=True)
class Pairing:
    """The links found; look them up with the methods (events are keyed by identity)."""

    letters: Mapping[int, DecisionLetterSent]
    mediations: Mapping[int, CaseEvent]
    certificates: Mapping[int, tuple[dt.date, ...]]
    icb_told: Mapping[int, dt.date]
    amendment_sources: Mapping[int, CaseEvent | None]
    scheduled_meetings: frozenset[dt.date]
    warnings: tuple[CaseWarning, ...]

    def letter_of(self, event: CaseEvent) -> DecisionLetterSent | None:
        """The decision letter a mediation or appeal event is about, if one is on file."""
        return self.letters.get(id(event))

    def mediation_of(self, event: CaseEvent) -> CaseEvent | None:
        """The request (or refusal) of mediation a later mediation event belongs to."""
        return self.mediations.get(id(event))

    def icb_told_on(self, mediation: CaseEvent) -> dt.date | None:
        """When the LA told the ICB about this request for mediation, if recorded (R23)."""
        return self.icb_told.get(id(mediation))

    def certificates_for(self, letter: CaseEvent) -> tuple[dt.date, ...]:
        """Dates of the mediation certificates about ``letter``, earliest first."""
        return self.certificates.get(id(letter), ())

    def amendment_source(self, notice: CaseEvent) -> CaseEvent | None:
        """The review meeting, Tribunal order or unopposed appeal that required the
        amendment ``notice`` proposes; None when nothing on file did."""
        return self.amendment_sources.get(id(notice))

    def meeting_was_scheduled(self, meeting: dt.date) -> bool:
        return meeting in self.scheduled_meetings


def pair(history: Sequence[Indexed]) -> Pairing:
    """Link every event in ``history`` (effective, in date order) to what it belongs to.

    Raises:
        InvalidHistory: an event names a ``decision_letter`` that is not a decision letter
            on file, or one dated after it.
    """
    builder = _Builder({e.id: (i, e) for i, e in history if e.id is not None})
    for index, event in history:
        builder.take(index, event)
    return Pairing(
        letters=builder.letters,
        mediations=builder.mediations,
        certificates={k: tuple(v) for k, v in builder.certificates.items()},
        icb_told=builder.icb_told,
        amendment_sources=builder.sources,
        scheduled_meetings=frozenset(builder.scheduled),
        warnings=tuple(builder.warnings),
    )


class _Builder:
    """The one pass of ``pair``: the state it carries from event to event."""

    def __init__(self, by_id: Mapping[str, Indexed]) -> None:
        self.by_id = by_id
        self.sent: list[DecisionLetterSent] = []
        self.open_mediations: list[CaseEvent] = []  # requested/declined, not yet certified
        self.letters: dict[int, DecisionLetterSent] = {}
        self.mediations: dict[int, CaseEvent] = {}
        self.certificates: dict[int, list[dt.date]] = {}
        self.icb_told: dict[int, dt.date] = {}
        self.source: CaseEvent | None = None  # what requires the plan amended, now
        self.sources: dict[int, CaseEvent | None] = {}
        self.scheduled: set[dt.date] = set()
        self.warnings: list[CaseWarning] = []

    def take(self, index: int, event: CaseEvent) -> None:
        if isinstance(event, DecisionLetterSent):
            self.sent.append(event)
        elif isinstance(event, _OPENS_MEDIATION):
            self._open_mediation(index, event)
        elif isinstance(event, _ENDS_MEDIATION):
            self._end_mediation(index, event)
        elif isinstance(event, AppealRegistered):
            letter = self._named(index, event) or (self.sent[-1] if self.sent else None)
            if letter is not None:
                self.letters[id(event)] = letter
        elif isinstance(event, ReviewMeetingScheduled):
            self.scheduled.add(event.meeting_date)
        else:
            self._amendment(event)

    # --- decision letters and mediation (R21-R26) ----------------------------------------

    def _named(self, index: int, event: CaseEvent) -> DecisionLetterSent | None:
        """The letter the event names in ``decision_letter``, checked."""
        ref: str | None = getattr(event, "decision_letter", None)
        if ref is None:
            return None
        found = self.by_id.get(ref)
        if found is None or not isinstance(found[1], DecisionLetterSent):
            raise InvalidHistory(
                f"{event.type} names decision_letter {ref!r}, but no decision_letter_sent "
                "on file has that id",
                index=index,
            )
        letter = found[1]
        if letter.date > event_date(event):
            raise InvalidHistory(
                f"{event.type} on {event_date(event)} names decision_letter {ref!r}, "
                f"sent later, on {letter.date}",
                index=index,
            )
        return letter

    def _open_mediation(self, index: int, event: MediationRequested | MediationDeclined) -> None:
        letter = self._named(index, event)
        if letter is None:
            letter = self._implied_letter(index, event)
        elif event.date > add_months(letter.date, 2):
            self.warn(
                index,
                f"{event.type} on {long_date(event.date)} names the decision letter of "
                f"{long_date(letter.date)}, more than two months after it was sent (reg 33): "
                "the appeal deadline is extended only if the Tribunal accepts it",
            )
        if letter is not None:
            self.letters[id(event)] = letter
        self.open_mediations.append(event)

    def _implied_letter(
        self, index: int, event: MediationRequested | MediationDeclined
    ) -> DecisionLetterSent | None:
        """The latest letter sent on or before ``event`` within R21's two months."""
        within = [
            letter for letter in self.sent if event.date <= add_months(letter.date, 2)
        ]
        if not within:
            if self.sent:
                self.warn(
                    index,
                    f"{event.type} on {long_date(event.date)} is more than two months after "
                    f"the last decision letter ({long_date(self.sent[-1].date)}), so it "
                    "extends no appeal deadline; if it is about a letter, name it with "
                    "decision_letter",
                )
            return None
        chosen = within[-1]
        if len(within) > 1:
            others = ", ".join(
                f"{letter.decision} of {long_date(letter.date)}" for letter in within[:-1]
            )
            self.warn(
                index,
                f"{event.type} on {long_date(event.date)} could be about more than one "
                f"decision letter; the engine took the latest ({chosen.decision} of "
                f"{long_date(chosen.date)}) rather than {others}: set decision_letter to "
                "the id of the letter it is about",
            )
        return chosen

    def _end_mediation(self, index: int, event: CaseEvent) -> None:
        named = self._named(index, event)
        mediation = next(
            (m for m in reversed(self.open_mediations)
             if named is None or self.letters.get(id(m)) is named),
            None,
        )
        letter = named or (self.letters.get(id(mediation)) if mediation else None)
        if mediation is None and named is None and self.sent:
            letter = self.sent[-1]  # a history that records the certificate only
            if len(self.sent) > 1:
                self.warn(
                    index,
                    f"{event.type} on {long_date(event_date(event))} follows no mediation on "
                    f"file; the engine took it to be about the latest decision letter "
                    f"({letter.decision} of {long_date(letter.date)})",
                )
        if mediation is not None:
            self.mediations[id(event)] = mediation
            if isinstance(event, MediationIcbTold):
                self.icb_told.setdefault(id(mediation), event.date)
        if letter is not None:
            self.letters[id(event)] = letter
        if isinstance(event, MediationAgreement) and event.appealable and (
            event.action not in AGREEABLE
        ):
            self.warn(
                index,
                f"the appealable mediation agreement of {long_date(event.date)} does not say "
                f"which step it agrees (action: {', '.join(AGREEABLE)}), so the engine cannot "
                "give its reg 42(3) dates",
            )
        if isinstance(event, MediationCertificateIssued):
            if mediation is not None:
                self.open_mediations.remove(mediation)
            if letter is not None:
                self.certificates.setdefault(id(letter), []).append(event_date(event))

    # --- amendment notices (R12c, A8) ------------------------------------------------------

    def _amendment(self, event: CaseEvent) -> None:
        if isinstance(event, ReviewMeetingHeld):
            self.source = event  # its decision is still to come
        elif isinstance(event, ReviewDecisionNotified):
            if event.outcome != "amend":
                self.source = None
            elif not isinstance(self.source, ReviewMeetingHeld):
                self.source = None  # a decision imported without its meeting: reg 22 only
        elif (
            isinstance(event, TribunalOrder) and event.order in AMENDING_ORDERS
            or isinstance(event, UnopposedAppealNotified) and event.appeal in AMENDING_APPEALS
        ):
            self.source = event
        elif isinstance(event, AmendmentNoticeServed):
            self.sources[id(event)] = self.source
        elif isinstance(
            event,
            AmendedPlanIssued | DecisionNotToAmendNotified | FinalPlanIssued | PlanLastReviewed,
        ):
            self.source = None

    def warn(self, index: int, message: str) -> None:
        self.warnings.append(CaseWarning(message, index=index))
