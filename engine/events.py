"""The case-history vocabulary (statutory-rules.md §12) as validated, immutable events.

Every event has a ``type`` (the discriminator) and, except calendar facts and forecasts,
a ``date``: the *legal* date in Europe/London on which it happened (T9). When it was
typed into the system (``recorded_at``/``recorded_by``) is kept apart, for audit only:
a request received on Friday and logged on Monday starts the clock on Friday.

Fields beyond the §12 floor are accepted and kept (``extra="allow"``), so an import from
another system loses nothing. Two fields let the log stay append-only while still being
correctable: ``id`` (client-supplied, makes a retried submission idempotent) and
``supersedes`` (the ``id`` of an earlier event this one replaces). ``event_withdrawn``
removes an earlier event from the reckoning without deleting it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from engine.errors import InvalidEvent

LONDON = ZoneInfo("Europe/London")

# The door's limits (docs/case-format.md §2). Dates the engine can count with: the calendar
# covers 2000-2100, so a clock from the last years may still run out of calendar (refused
# as an impossible history, pointing at its trigger). A date of birth may be older (a young
# person's plan runs to 25).
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
FIRST_BIRTH_DATE = dt.date(1900, 1, 1)
# Children and Families Act 2014 Part 3 and the SEND Regulations 2014 came into force on
# 1 September 2014: a request before then was made under the old law (statements).
ACT_IN_FORCE = dt.date(2014, 9, 1)
MAX_EVENTS = 10_000  # no real case comes near; beyond it the history is refused, not run
MAX_DEPTH = 20  # nesting of objects and lists inside one event
MAX_TEXT = 10_000  # characters in one text field


def _no_numbers(value: Any) -> Any:
    """A date is written YYYY-MM-DD: a number (``"date": 0``) is not read as 1970-01-01,
    and a UK date (20/07/2026) is told the format rather than "invalid character in year"."""
    if isinstance(value, bool | int | float):
        raise ValueError(f"expected a date written YYYY-MM-DD, not the number {value!r}")
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        uk = _UK_DATE.fullmatch(value.strip())
        example = (f" (e.g. {uk[3]}-{int(uk[2]):02d}-{int(uk[1]):02d} for {value.strip()})"
                   if uk else "")
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD{example}")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T00:00(:00(\.0+)?)?)?")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _date_between(first: dt.date, last: dt.date) -> Any:
    def check(value: dt.date) -> dt.date:
        if not first <= value <= last:
            raise ValueError(
                f"{value.isoformat()} is outside the dates the engine counts with "
                f"({first.isoformat()} to {last.isoformat()})"
            )
        return value

    return AfterValidator(check)


LegalDate = Annotated[
    dt.date, BeforeValidator(_no_numbers), _date_between(FIRST_DATE, LAST_DATE)
]
BirthDate = Annotated[
    dt.date, BeforeValidator(_no_numbers), _date_between(FIRST_BIRTH_DATE, LAST_DATE)
]
# Mediation issues (reg 32): these three names are the kinds the rules treat differently
# (health issues go to the ICB, R23); any other text is kept as a description.
ISSUE_KINDS = ("education", "health", "social_care")

ServiceMethod = Literal["email", "hand", "first_class_post", "second_class_post"]
Phase = Literal[
    "early_years", "infant", "junior", "primary", "middle", "secondary", "post16_institution",
    "school",
]
# Exception scopes: the clocks an exception can disapply (§5.1 scope per clock, §5.2 advice).
ExceptionScope = Literal[
    "decision_to_assess", "decision_not_to_issue", "final_plan", "advice",
    "reassessment_final_plan",
]
EXCEPTION_SCOPES: tuple[str, ...] = ExceptionScope.__args__  # type: ignore[attr-defined]
ExceptionGround = Literal[
    "reg5_4_a_school_closure", "reg5_4_b_early_years_closure",
    "reg5_4_c_exceptional_personal_circumstances", "reg5_4_d_absent_4_weeks",
    "reg10_4_a_school_closure", "reg10_4_b_early_years_closure",
    "reg10_4_c_exceptional_personal_circumstances", "reg10_4_d_absent_4_weeks",
    "reg13_3_a_school_closure", "reg13_3_b_early_years_closure",
    "reg13_3_c_exceptional_personal_circumstances", "reg13_3_d_absent_4_weeks",
    "reg27_3_a_school_closure", "reg27_3_b_early_years_closure",
    "reg27_3_c_exceptional_personal_circumstances", "reg27_3_d_absent_4_weeks",
    "reg8_2_a_exceptional_circumstances", "reg8_2_b_absent_4_weeks",
    "reg8_2_c_appointment_not_kept",
    "covid_2020",  # SI 2020/471, 1 May - 25 Sep 2020: historical cases only (§5.3)
]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    id: str | None = Field(default=None, min_length=1, max_length=200)
    supersedes: str | None = None
    recorded_at: AwareDatetime | None = None
    recorded_by: str | None = None
    note: str | None = None
    # Set by an import of an older system's history: allows what a live case may not
    # (a request before the Act came into force), with a warning on its deadlines.
    imported: bool | None = None


class _Dated(_Event):
    date: LegalDate


def _after_the_act(event: _Dated) -> None:
    if event.date < ACT_IN_FORCE and not event.imported:
        raise ValueError(
            f"date {event.date.isoformat()} is before the Children and Families Act 2014 Part 3 "
            f"came into force ({ACT_IN_FORCE.isoformat()}): that request was made under the "
            'old law; an imported history may still record it with "imported": true'
        )


class RequestReceived(_Dated):
    """s.36(1) request; starts R01, R03, R06. ``received_at``'s London date wins (T9)."""

    type: Literal["request_received"]
    requester: str | None = None
    channel: str | None = None
    received_at: AwareDatetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _date_from_instant(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("received_at"):
            try:
                instant = TypeAdapter(AwareDatetime).validate_python(data["received_at"])
            except ValidationError:
                return data  # field validation then reports what is wrong with received_at
            try:
                return {**data, "date": instant.astimezone(LONDON).date()}
            except OverflowError:
                raise ValueError(
                    f"received_at {data['received_at']!r} is outside the dates the engine "
                    "counts with"
                ) from None
        return data

    @model_validator(mode="after")
    def _under_the_act(self) -> RequestReceived:
        _after_the_act(self)
        return self


class LaBecameResponsible(_Dated):
    type: Literal["la_became_responsible"]

    @model_validator(mode="after")
    def _under_the_act(self) -> LaBecameResponsible:
        _after_the_act(self)
        return self


class DecisionToAssessNotified(_Dated):
    type: Literal["decision_to_assess_notified"]
    outcome: Literal["assess", "refuse"]


class AdviceRequested(_Dated):
    """One reg 6 request; the adviser's 6 weeks (R02) run from ``received_on``."""

    type: Literal["advice_requested"]
    advisor: str  # an adviser type (``engine.advisers``), checked at the door
    organisation: str | None = None  # the ICB or trust, or who the "other" adviser is
    school: str | None = None
    advice_id: str | None = None
    received_on: LegalDate | None = None  # when the body received it; defaults to ``date``


class AdviceReceived(_Dated):
    type: Literal["advice_received"]
    advisor: str | None = None
    advice_id: str | None = None

    @model_validator(mode="after")
    def _names_its_request(self) -> AdviceReceived:
        if not (self.advisor or self.advice_id):
            raise ValueError("advice_received needs 'advisor' or 'advice_id' to say which request")
        return self


class AppointmentNotKept(_Dated):
    type: Literal["appointment_not_kept"]
    advisor: str | None = None
    advice_id: str | None = None


class AbsenceFromArea(_Dated):
    type: Literal["absence_from_area"]
    from_: LegalDate = Field(alias="from")
    to: LegalDate

    @model_validator(mode="after")
    def _ordered(self) -> AbsenceFromArea:
        if self.to < self.from_:
            raise ValueError(f"absence ends ({self.to}) before it starts ({self.from_})")
        return self


class SchoolClosure(_Event):
    """Calendar fact (no ``date``): first closed day and the day it reopens (A9)."""

    type: Literal["school_closure"]
    school: str
    closed_from: LegalDate
    reopens_on: LegalDate

    @model_validator(mode="after")
    def _ordered(self) -> SchoolClosure:
        if self.reopens_on <= self.closed_from:
            raise ValueError(
                f"school reopens ({self.reopens_on}) on or before it closes ({self.closed_from})"
            )
        return self


class ExceptionRecorded(_Dated):
    """The LA's decision that a ground applies (§5); never inferred from the calendar."""

    type: Literal["exception_recorded"]
    ground: ExceptionGround
    applies_to: tuple[ExceptionScope, ...] = Field(min_length=1)
    advice_id: str | None = None  # for ``advice``: which request; None = every open one
    advisor: str | None = None

    @field_validator("applies_to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """One name or a list; an unknown name is one clause that lists the known ones."""
        names = (value,) if isinstance(value, str) else value
        if isinstance(names, list | tuple):
            unknown = [n for n in names if n not in EXCEPTION_SCOPES]
            if unknown:
                raise ValueError(
                    f"unknown {', '.join(repr(n) for n in unknown)}: expected one or more "
                    f"of {', '.join(EXCEPTION_SCOPES)}"
                )
        return names


class DecisionNotToIssueNotified(_Dated):
    type: Literal["decision_not_to_issue_notified"]


class DraftPlanServed(_Dated):
    type: Literal["draft_plan_served"]
    method: Literal["email", "hand"] = "email"


class DraftPlanPosted(_Dated):
    type: Literal["draft_plan_posted"]
    method: Literal["first_class_post", "second_class_post"] = "first_class_post"


class SchoolConsulted(_Dated):
    type: Literal["school_consulted"]
    school: str


class FinalPlanIssued(_Dated):
    type: Literal["final_plan_issued"]


class ChildDateOfBirth(_Dated):
    type: Literal["child_date_of_birth"]
    date: BirthDate


class ReviewMeetingScheduled(_Dated):
    """A review meeting booked for ``meeting_date``: starts the reg 20(3)-(4) notice clocks."""

    type: Literal["review_meeting_scheduled"]
    meeting_date: LegalDate


class ReviewInvitationsSent(_Dated):
    type: Literal["review_invitations_sent"]


class ReviewAdviceCirculated(_Dated):
    type: Literal["review_advice_circulated"]


class ReviewMeetingHeld(_Dated):
    type: Literal["review_meeting_held"]
    attends: Literal["school", "none"] = "school"


class ReviewReportSent(_Dated):
    type: Literal["review_report_sent"]


class ReviewDecisionNotified(_Dated):
    type: Literal["review_decision_notified"]
    outcome: Literal["maintain", "amend", "cease"]


class AmendmentNoticeServed(_Dated):
    """Reg 22(2): ``date`` is when it was *sent* (R12c); service may be deemed (R12b)."""

    type: Literal["amendment_notice_served"]
    method: ServiceMethod = "email"


class AmendedPlanIssued(_Dated):
    type: Literal["amended_plan_issued"]


class DecisionNotToAmendNotified(_Dated):
    """Reg 22(4): after representations, the LA decides not to amend; stops R12c."""

    type: Literal["decision_not_to_amend_notified"]


class PlanLastReviewed(_Dated):
    type: Literal["plan_last_reviewed"]


class PhaseTransferExpected(_Event):
    """Forecast (no ``date``): the transfer between phases of education (reg 2(1))."""

    type: Literal["phase_transfer_expected"]
    from_: Phase = Field(alias="from")
    to: Phase
    transfer_date: LegalDate


class DecisionLetterSent(_Dated):
    type: Literal["decision_letter_sent"]
    decision: str
    method: ServiceMethod | None = None


class _AboutALetter(_Dated):
    """An event about one decision letter: ``decision_letter`` names it by ``id``; without
    it the engine pairs the event as docs/case-format.md §6a says (R21, R26)."""

    decision_letter: str | None = Field(default=None, min_length=1)


class _Mediation(_AboutALetter):
    issues: tuple[str, ...] | None = None
    action: str | None = None
    health: bool = False

    @field_validator("issues", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @property
    def issue_kinds(self) -> frozenset[str]:
        """Which of education, health and social care the mediation is about
        (``health: true`` is the older way of saying health)."""
        kinds = {issue for issue in self.issues or () if issue in ISSUE_KINDS}
        return frozenset(kinds | ({"health"} if self.health else set()))

    @property
    def about_health(self) -> bool:
        return "health" in self.issue_kinds

    @property
    def health_only(self) -> bool:
        """Only health issues: the ICB, not the LA, arranges the mediation (R23)."""
        return self.issue_kinds == {"health"}


class MediationRequested(_Mediation):
    type: Literal["mediation_requested"]


class MediationIcbTold(_Mediation):
    """The LA told the ICB that the parent wants mediation about health issues (R23)."""

    type: Literal["mediation_icb_told"]


class MediationDeclined(_Mediation):
    type: Literal["mediation_declined"]


class MediationConcluded(_Mediation):
    type: Literal["mediation_concluded"]


class MediationCertificateIssued(_Mediation):
    type: Literal["mediation_certificate_issued"]


class MediationAgreement(_Mediation):
    type: Literal["mediation_agreement"]
    appealable: bool = False
    by_commissioning_body: bool = False


class ReassessmentRequestReceived(_Dated):
    type: Literal["reassessment_request_received"]


class ReassessmentDecisionNotified(_Dated):
    type: Literal["reassessment_decision_notified"]
    outcome: Literal["reassess", "refuse"]


class MoveNotifiedToOldLa(_Dated):
    """The old LA became aware of the move (``date``) to happen on ``move_date``."""

    type: Literal["move_notified_to_old_la"]
    move_date: LegalDate


class PlanTransferred(_Dated):
    type: Literal["plan_transferred"]
    move_date: LegalDate | None = None


class NewLaNotified(_Dated):
    """Reg 15(4) notice from the new LA; stops ``new_la_notification_due``."""

    type: Literal["new_la_notified"]


class TribunalOrder(_Dated):
    type: Literal["tribunal_order"]
    order: Literal[
        "assess", "reassess", "make_and_maintain_plan", "amend_plan", "name_school",
        "continue_to_maintain", "cease_dismissed",
    ]


class TribunalOrderComplied(_Dated):
    """The LA's step that satisfies a tribunal/unopposed-appeal clock (``step`` names it)."""

    type: Literal["tribunal_order_complied"]
    step: Literal["notify", "decision_not_necessary", "draft_plan", "final_plan", "amended_plan"]


class UnopposedAppealNotified(_Dated):
    type: Literal["unopposed_appeal_notified"]
    appeal: Literal["refuse_to_assess", "refuse_to_reassess", "contents", "cease"]


class AppealRegistered(_AboutALetter):
    type: Literal["appeal_registered"]


class CaseClosed(_Dated):
    """The council's work on the case ended: the plan ceased, the child or young person
    moved away (the plan not transferred), or the request was withdrawn. The LA's clocks
    still running stop (a parent's appeal or mediation window runs on), and the case
    takes no further event until this one is withdrawn (``event_withdrawn``)."""

    type: Literal["case_closed"]
    reason: Literal["plan_ceased", "moved_away", "request_withdrawn"]


class EventWithdrawn(_Dated):
    """Takes an earlier event (by ``id``) out of the reckoning; the log keeps both."""

    type: Literal["event_withdrawn"]
    withdraws: str
    reason: str = Field(min_length=1)


CaseEvent = Annotated[
    CaseClosed | RequestReceived | LaBecameResponsible | DecisionToAssessNotified | AdviceRequested
    | AdviceReceived | AppointmentNotKept | AbsenceFromArea | SchoolClosure | ExceptionRecorded
    | DecisionNotToIssueNotified | DraftPlanServed | DraftPlanPosted | SchoolConsulted
    | FinalPlanIssued | ChildDateOfBirth | ReviewMeetingScheduled | ReviewInvitationsSent
    | ReviewAdviceCirculated | ReviewMeetingHeld | ReviewReportSent | ReviewDecisionNotified
    | AmendmentNoticeServed | AmendedPlanIssued | DecisionNotToAmendNotified | PlanLastReviewed
    | PhaseTransferExpected | DecisionLetterSent | MediationRequested | MediationIcbTold
    | MediationDeclined
    | MediationConcluded | MediationCertificateIssued | MediationAgreement
    | ReassessmentRequestReceived | ReassessmentDecisionNotified | MoveNotifiedToOldLa
    | PlanTransferred | NewLaNotified | TribunalOrder | TribunalOrderComplied
    | UnopposedAppealNotified | AppealRegistered | EventWithdrawn,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[CaseEvent] = TypeAdapter(CaseEvent)
EVENT_TYPES: tuple[str, ...] = tuple(
    sorted(
        arg.model_fields["type"].annotation.__args__[0]
        for arg in CaseEvent.__origin__.__args__  # type: ignore[attr-defined]
    )
)


def event_date(event: CaseEvent) -> dt.date:
    """The date an event sorts on: its legal ``date``, or the date a calendar fact starts."""
    if isinstance(event, SchoolClosure):
        return event.closed_from
    if isinstance(event, PhaseTransferExpected):
        return event.transfer_date
    return event.date


def parse_event(data: Any, *, index: int | None = None) -> CaseEvent:
    """Validate one event from JSON-like data.

    Args:
        data: a mapping with a ``type`` and that type's fields.
        index: position in the history, quoted in the error.

    Returns:
        The immutable event.

    Raises:
        InvalidEvent: with every problem spelled out field by field.
    """
    if not isinstance(data, Mapping):
        raise InvalidEvent(f"an event must be an object, not {type(data).__name__}", index=index)
    problem = _unreadable(data)
    if problem is not None:
        raise InvalidEvent(problem, index=index)
    kind = data.get("type")
    if kind is None:
        raise InvalidEvent("event has no 'type'", index=index)
    if kind not in EVENT_TYPES:
        raise InvalidEvent(
            f"unknown event type {kind!r}; known types: {', '.join(EVENT_TYPES)}", index=index
        )
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InvalidEvent(f"{kind}: {_explain(exc)}", index=index) from None


def parse_events(items: Iterable[Any]) -> list[CaseEvent]:
    """Validate a whole history, failing on the first bad event with its position.

    Raises:
        InvalidEvent: the first bad event; or more than ``MAX_EVENTS`` events.
    """
    events = []
    for i, item in enumerate(items):
        if i == MAX_EVENTS:
            raise InvalidEvent(too_many_events())
        events.append(parse_event(item, index=i))
    return events


def too_many_events() -> str:
    return (
        f"a case history may hold at most {MAX_EVENTS:,} events; this one has more, which "
        "no real case does (was a file appended to itself, or several cases merged?)"
    )


def _unreadable(data: Mapping[str, Any]) -> str | None:
    """What makes raw event data unusable before validation even starts: nesting deeper
    than ``MAX_DEPTH``, text that is not valid Unicode (a lone surrogate such as
    ``\\ud800``, which no file or screen can show, or a NUL, which PostgreSQL cannot
    store) or longer than ``MAX_TEXT``."""
    stack: list[tuple[str, Any, int]] = [("", data, 1)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, Mapping | list | tuple):
            if depth > MAX_DEPTH:
                return f"{path or 'the event'}: nested more than {MAX_DEPTH} levels deep"
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (problem := _bad_text(key)):
                    return f"field name {key!r}: {problem}"
                stack.append((name, item, depth + 1))
        elif isinstance(value, str) and (problem := _bad_text(value)):
            return f"{path}: {problem}"
    return None


def _bad_text(text: str) -> str | None:
    if len(text) > MAX_TEXT:
        return f"text of {len(text):,} characters is longer than the {MAX_TEXT:,} allowed"
    if "\x00" in text:
        return (f"not valid text: character {text.index(chr(0)) + 1} is a NUL (\\x00), "
                "which cannot be stored")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"not valid text: character {exc.start + 1} is a lone surrogate "
            f"({text[exc.start]!r}), which cannot be stored or shown"
        )
    return None


def dump_event(event: CaseEvent) -> dict[str, Any]:
    """The event as JSON-ready data in the documented format (aliases, ISO dates)."""
    return event.model_dump(mode="json", by_alias=True, exclude_none=True)


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        # The first location element is the union member's tag; the rest is the field path.
        loc = ".".join(str(p) for p in err["loc"][1:])
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)
