"""TIMESCALES: every statutory (and advisory) clock as one row of data.

A change in the law is a change to one row here. Rule IDs and conventions are those of
``shared/statutory-rules.md`` (R01-R29, T1-T10). Each row says what starts the clock
(``starts``), which date of that event it runs from (``anchor``), how long it runs
(``period``, whose type names its unit), what satisfies it (``stops``), what makes it no
longer apply (``cancels``), which recorded exceptions may disapply it (``clock`` and
``grounds``), whether it counts in the national return (``measure``) and its citation.
The clocks that combine other dates or need the rest of the history (Devon's minimum,
reg 15, the appeal, reg 18, R09 from a meeting held, the ICB's 30 days) name that in
``special``; the arithmetic for those is in ``engine.special``. ``pairing`` says which open
clock a stop event meets (``engine.pairing`` decides what belongs to what).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from engine.events import CaseEvent
from engine.periods import (
    DayBefore,
    Days,
    DaysBeginningWith,
    Months,
    MonthsStartingWith,
    OnDate,
    Period,
    Weeks,
    WorkingDays,
    WorkingDaysBeginningWith,
)
from engine.status import Kind

Anchor = Literal["date", "received_on", "served", "meeting_date", "transfer_date"]
Special = Literal[
    "earliest_of_reg22_and_devon", "reg15_2_transfer", "reg15_5_review", "appeal",
    "reg18_transfer", "unscheduled_meeting", "icb_told",
]


@dataclass(frozen=True)
class On:
    """Matches events of ``type`` whose fields take one of the listed values."""

    type: str
    where: Mapping[str, tuple[object, ...]] = field(default_factory=dict)

    def matches(self, event: CaseEvent) -> bool:
        return event.type == self.type and all(
            getattr(event, name, None) in allowed for name, allowed in self.where.items()
        )


@dataclass(frozen=True)
class Rule:
    id: str
    key: str
    duty: str  # what must happen, completing "... by the due date"
    starts: tuple[On, ...]
    period: Period
    citation: str
    stops: tuple[On, ...] = ()
    cancels: tuple[On, ...] = ()
    premature: tuple[On, ...] = ()  # for windows: acting this way inside the window breaches it
    anchor: Anchor = "date"
    kind: Kind = "limit"
    statutory: bool = True
    actor: str = "la"
    scope: str | None = None  # the exception scope (events.ExceptionScope) it belongs to
    grounds: tuple[str, ...] = ()  # ground prefixes that may disapply it (§5)
    # A stop meets every open clock ("all"), the one request it names ("advice"), or the
    # clock of the decision letter it is about ("letter", engine.pairing).
    pairing: Literal["all", "advice", "letter"] = "all"
    restarts: bool = False  # a new start replaces a clock still open
    looks_back: bool = False  # met by stop events *before* the start (since the last one)
    escalates: bool = True  # False: a fact of record, judged but never chased by the sweep
    requires_under_5: bool = False
    special: Special | None = None
    measure: str | None = None  # the timeliness figure it counts towards


REQUEST = (On("request_received"), On("la_became_responsible"))
DRAFT = (On("draft_plan_served"), On("draft_plan_posted"))
REFUSED = On("decision_to_assess_notified", {"outcome": ("refuse",)})
PLAN_ANCHORS = (
    On("final_plan_issued"),
    On("plan_last_reviewed"),
    On("review_decision_notified", {"outcome": ("maintain", "amend")}),
)
AMENDMENT_DONE = (On("amended_plan_issued"), On("decision_not_to_amend_notified"))
NO_AMENDMENT = On("review_decision_notified", {"outcome": ("maintain", "cease")})
POSTED = ("first_class_post", "second_class_post")
# Reg 2(1) "transfer between phases of education"; secondary -> post-16 has its own date.
OTHER_PHASE_TRANSFERS = tuple(
    On("phase_transfer_expected", {"from_": (a,), "to": (b,)})
    for a, b in (
        ("early_years", "school"), ("early_years", "infant"), ("early_years", "primary"),
        ("infant", "junior"), ("primary", "middle"), ("primary", "secondary"),
        ("junior", "middle"), ("junior", "secondary"), ("middle", "secondary"),
    )
)


ASSESS = ("assess", "reassess")
# Reg 44(2) as amended by SI 2015/359: the LA's steps after a Tribunal order, as
# (step, orders, weeks, events that also complete the step). Reg 44(2)(d)-(i) were not
# retrieved; 2 weeks to name a school is the 2001 regime's period [verify]. Reg 42(3)
# applies the same periods to an appealable matter agreed in mediation (R25).
REG44: tuple[tuple[str, tuple[str, ...], int, tuple[On, ...]], ...] = (
    ("notify", ASSESS, 2, ()),
    ("decision_not_necessary", ASSESS, 10, ()),
    ("final_plan", ASSESS, 14, (On("final_plan_issued"),)),
    ("draft_plan", ("make_and_maintain_plan",), 5, DRAFT),
    ("final_plan", ("make_and_maintain_plan",), 11, (On("final_plan_issued"),)),
    ("amended_plan", ("amend_plan",), 5, (On("amended_plan_issued"),)),
    ("name_school", ("name_school",), 2, (On("amended_plan_issued"),)),
)


def _tribunal(step: str, order: tuple[str, ...], weeks: int, done: tuple[On, ...]) -> Rule:
    """Reg 44(2) as amended by SI 2015/359: the LA's steps after a Tribunal order (R27)."""
    complied = "amended_plan" if step == "name_school" else step
    return Rule(
        "R27", f"tribunal_{step}_due",
        f"comply with the Tribunal's order ({step.replace('_', ' ')})",
        (On("tribunal_order", {"order": order}),), Weeks(weeks),
        "SEND Regs 2014 reg 44(2) as amended by SI 2015/359 [verify heads other than (b)-(c)]",
        stops=(On("tribunal_order_complied", {"step": (complied,)}), *done),
    )


def _agreed(step: str, order: tuple[str, ...], weeks: int, done: tuple[On, ...]) -> Rule:
    """Reg 42(3): an appealable matter agreed in mediation runs on the reg 44 periods, as
    if the Tribunal had ordered it (R25); the agreement's ``action`` names the order."""
    complied = "amended_plan" if step == "name_school" else step
    return Rule(
        "R25", f"mediation_agreed_{step}_due",
        f"do what the mediation agreement requires ({step.replace('_', ' ')})",
        (On("mediation_agreement", {"appealable": (True,), "action": order}),), Weeks(weeks),
        "SEND Regs 2014 reg 42(3) with reg 44(2)",
        stops=(On("tribunal_order_complied", {"step": (complied,)}), *done),
    )


def _unopposed(key: str, appeal: tuple[str, ...], weeks: int, step: str, *done: On) -> Rule:
    """Reg 45 as substituted by SI 2015/359 reg 8: the LA does not oppose an appeal (R28)."""
    return Rule(
        "R28", key, f"act on the unopposed appeal ({step.replace('_', ' ')})",
        (On("unopposed_appeal_notified", {"appeal": appeal}),), Weeks(weeks),
        "SEND Regs 2014 reg 45(3), (3A), (4) as substituted by SI 2015/359 reg 8",
        stops=(On("tribunal_order_complied", {"step": (step,)}), *done),
    )


TIMESCALES: tuple[Rule, ...] = (
    # --- EHC needs assessment -------------------------------------------------------------
    Rule("R01", "decision_to_assess_due", "notify the decision whether to assess", REQUEST,
         Weeks(6), "SEND Regs 2014 reg 5(1), reg 4(1); CoP 9.14", scope="decision_to_assess",
         stops=(On("decision_to_assess_notified"),), grounds=("reg5_4_",),
         measure="decision_6_weeks"),
    Rule("R02", "advice_due", "provide the requested advice", (On("advice_requested"),),
         Weeks(6), "SEND Regs 2014 reg 8(1)", anchor="received_on", actor="adviser",
         stops=(On("advice_received"),), pairing="advice", scope="advice",
         grounds=("reg8_2_",), measure="advice_6_weeks"),
    Rule("R03", "decision_not_to_issue_due",
         "notify a decision not to issue a plan (a draft plan shows the decision to issue)",
         REQUEST, Weeks(16), "SEND Regs 2014 reg 10(1)", scope="decision_not_to_issue",
         stops=(On("decision_not_to_issue_notified"), *DRAFT, On("final_plan_issued")),
         cancels=(REFUSED,), grounds=("reg10_4_",)),
    Rule("R29", "draft_deemed_served", "the posted draft plan is deemed served",
         (On("draft_plan_posted"),), Days(0),
         "Interpretation Act 1978 s.7; Practice Direction (QBD) [1985]", anchor="served",
         kind="date"),
    Rule("R04", "draft_representations_end",
         "allow at least 15 days for representations on the draft before finalising", DRAFT,
         DaysBeginningWith(15), "SEND Regs 2014 reg 13(1)(a); CFA 2014 s.38; CoP 9.77",
         anchor="served", kind="window", premature=(On("final_plan_issued"),),
         restarts=True),
    Rule("R05", "school_consultation_response_due",
         "the consulted school or college should respond", (On("school_consulted"),),
         Days(15), "CFA 2014 s.39(2)-(3); CoP 9.83 (guidance: 'should')", kind="date",
         statutory=False, actor="institution"),
    Rule("R06", "final_plan_due", "issue the final EHC plan", REQUEST, Weeks(20),
         "SEND Regs 2014 reg 13(2); CoP 9.40", scope="final_plan",
         stops=(On("final_plan_issued"),),
         cancels=(REFUSED, On("decision_not_to_issue_notified")),
         grounds=("reg13_3_", "reg10_4_"), measure="plan_20_weeks"),
    # --- Annual review ---------------------------------------------------------------------
    Rule("R07", "annual_review_due", "complete the annual review (notify the decision)",
         PLAN_ANCHORS, MonthsStartingWith(12), "CFA 2014 s.44(1) [verify]; CoP 9.166; A4, A5",
         stops=(On("review_decision_notified"), On("plan_last_reviewed")), restarts=True,
         cancels=(On("plan_transferred"),)),  # reg 15(5) (R19) sets the next review date
    Rule("R08", "advisory_under5_review_3_months",
         "consider reviewing the plan of a child under 5 (3 months)", PLAN_ANCHORS, Months(3),
         "CoP 9.178 (advisory)", stops=(On("review_meeting_held"),), statutory=False,
         restarts=True, requires_under_5=True),
    Rule("R08", "advisory_under5_review_6_months",
         "consider reviewing the plan of a child under 5 (6 months)", PLAN_ANCHORS, Months(6),
         "CoP 9.178 (advisory)", stops=(On("review_meeting_held"),), statutory=False,
         restarts=True, requires_under_5=True),
    Rule("R09", "review_invitation_latest", "give at least two weeks' notice of the meeting",
         (On("review_meeting_scheduled"),), Weeks(-2), "SEND Regs 2014 reg 20(3), 21(3); A11",
         anchor="meeting_date", stops=(On("review_invitations_sent"),), restarts=True),
    Rule("R09", "review_advice_circulation_latest",
         "obtain and circulate advice at least two weeks before the meeting",
         (On("review_meeting_scheduled"),), Weeks(-2), "SEND Regs 2014 reg 20(4), 21(4)",
         anchor="meeting_date", stops=(On("review_advice_circulated"),), restarts=True),
    # A meeting recorded as held with no schedule for its date (an imported caseload): the
    # same two dates are facts of record, judged by the notices sent before it. The
    # meeting has happened, so nothing is left to chase: they never escalate.
    Rule("R09", "review_invitation_latest", "give at least two weeks' notice of the meeting",
         (On("review_meeting_held"),), Weeks(-2), "SEND Regs 2014 reg 20(3), 21(3); A11",
         stops=(On("review_invitations_sent"),), looks_back=True, escalates=False,
         special="unscheduled_meeting"),
    Rule("R09", "review_advice_circulation_latest",
         "obtain and circulate advice at least two weeks before the meeting",
         (On("review_meeting_held"),), Weeks(-2), "SEND Regs 2014 reg 20(4), 21(4)",
         stops=(On("review_advice_circulated"),), looks_back=True, escalates=False,
         special="unscheduled_meeting"),
    Rule("R10", "review_report_due", "send the review report", (On("review_meeting_held"),),
         Weeks(2), "SEND Regs 2014 reg 20(7), 21(7)", stops=(On("review_report_sent"),)),
    Rule("R11", "review_decision_due", "notify the review decision (maintain, amend, cease)",
         (On("review_meeting_held"),), Weeks(4), "SEND Regs 2014 reg 20(10)-(11), 21; CoP 9.176",
         stops=(On("review_decision_notified"),), measure="review_decision_4_weeks"),
    Rule("R12a", "amendment_notice_due",
         "send the proposed amendments with the review decision",
         (On("review_meeting_held"),), Weeks(4),
         "SEND Regs 2014 reg 22(2)(a) with reg 20(10); R (L, M and P) v Devon CC [2022] "
         "EWHC 493 (Admin)", stops=(On("amendment_notice_served"),), cancels=(NO_AMENDMENT,)),
    Rule("R29", "amendment_deemed_served", "the posted amendment notice is deemed served",
         (On("amendment_notice_served", {"method": POSTED}),), Days(0),
         "Interpretation Act 1978 s.7; Practice Direction (QBD) [1985]", anchor="served",
         kind="date"),
    Rule("R12b", "amendment_representations_end",
         "allow at least 15 days for representations on the proposed amendments",
         (On("amendment_notice_served"),), DaysBeginningWith(15),
         "SEND Regs 2014 reg 22(2)(c)", anchor="served", kind="window",
         premature=(On("amended_plan_issued"),)),
    Rule("R12c", "amended_plan_reg22_due", "issue the amended plan (8 weeks from the notice)",
         (On("amendment_notice_served"),), Weeks(8), "SEND Regs 2014 reg 22(3)-(4)",
         stops=AMENDMENT_DONE),
    Rule("R12c", "amended_plan_devon_backstop",
         "issue the amended plan within 12 weeks of the review meeting",
         (On("review_meeting_held"),), Weeks(12),
         "SEND Regs 2014 reg 20(10), 22(3); R (L, M and P) v Devon CC [2022] EWHC 493 (Admin)",
         stops=AMENDMENT_DONE, cancels=(NO_AMENDMENT,), measure="amendment_12_weeks"),
    Rule("R12c", "amended_plan_final_due",
         "issue the amended plan (the earlier of notice + 8 weeks and meeting + 12 weeks)",
         (On("amendment_notice_served"),), Weeks(8), "SEND Regs 2014 reg 22(3); Devon; A8",
         stops=AMENDMENT_DONE, special="earliest_of_reg22_and_devon"),
    # --- Phase transfers (reg 18) ----------------------------------------------------------
    Rule("R13", "phase_transfer_named_date", "review and amend before 31 March",
         (On("phase_transfer_expected", {"from_": ("secondary",),
                                         "to": ("post16_institution",)}),),
         OnDate(3, 31), "SEND Regs 2014 reg 18(1)(a)", anchor="transfer_date", kind="date",
         special="reg18_transfer"),
    Rule("R13", "phase_transfer_named_date", "review and amend before 15 February",
         OTHER_PHASE_TRANSFERS, OnDate(2, 15), "SEND Regs 2014 reg 18(1)(b)",
         anchor="transfer_date", kind="date", special="reg18_transfer"),
    Rule("R13", "phase_transfer_last_day",
         "review and amend the plan, naming the post-16 institution",
         (On("phase_transfer_expected", {"from_": ("secondary",),
                                         "to": ("post16_institution",)}),),
         DayBefore(3, 31), "SEND Regs 2014 reg 18(1)(a); A6", anchor="transfer_date",
         special="reg18_transfer"),
    Rule("R13", "phase_transfer_last_day", "review and amend the plan, naming the school",
         OTHER_PHASE_TRANSFERS, DayBefore(2, 15), "SEND Regs 2014 reg 18(1)(b); A6",
         anchor="transfer_date", special="reg18_transfer"),
    Rule("R13", "post16_transfer_amend_by",
         "review and amend the plan at least five months before the transfer",
         (On("phase_transfer_expected", {"from_": ("post16_institution",),
                                         "to": ("post16_institution",)}),),
         Months(-5), "SEND Regs 2014 reg 18(2)", anchor="transfer_date",
         special="reg18_transfer"),
    # --- Re-assessment ---------------------------------------------------------------------
    Rule("R14", "reassessment_decision_due", "notify whether it will re-assess",
         (On("reassessment_request_received"),), Days(15),
         "SEND Regs 2014 regs 24-25 [verify]; CFA 2014 s.44(2)",
         stops=(On("reassessment_decision_notified"),)),
    Rule("R15", "reassessment_final_plan_due", "issue the amended or replacement plan",
         (On("reassessment_decision_notified", {"outcome": ("reassess",)}),), Weeks(14),
         "SEND Regs 2014 reg 27(2)", scope="reassessment_final_plan",
         stops=(On("final_plan_issued"), On("amended_plan_issued")),
         grounds=("reg27_3_", "reg10_4_")),
    # --- Moving between local authorities (reg 15) -----------------------------------------
    Rule("R17", "plan_transfer_due", "transfer the plan to the new local authority",
         (On("move_notified_to_old_la"),), WorkingDaysBeginningWith(15),
         "SEND Regs 2014 reg 15(2)",
         stops=(On("plan_transferred"),), special="reg15_2_transfer"),
    Rule("R18", "new_la_notification_due",
         "tell the parent or young person the plan has transferred, and the plans for it",
         (On("plan_transferred"),), Weeks(6), "SEND Regs 2014 reg 15(4)",
         stops=(On("new_la_notified"),)),
    Rule("R19", "transferred_plan_review_due", "review the transferred plan",
         (On("plan_transferred"),), MonthsStartingWith(3), "SEND Regs 2014 reg 15(5)",
         stops=(On("review_decision_notified"),), special="reg15_5_review"),
    # --- Mediation and appeal ---------------------------------------------------------------
    Rule("R21", "mediation_adviser_contact_due",
         "contact the mediation adviser (needed before most appeals)",
         (On("decision_letter_sent"),), Months(2), "SEND Regs 2014 reg 33; CFA 2014 s.55",
         stops=(On("mediation_requested"), On("mediation_declined")), actor="parent",
         # the parent's time: it must be allowed to run, never a council breach
         kind="window", pairing="letter"),
    Rule("R22", "mediation_certificate_due",
         "issue the certificate (mediation declined)", (On("mediation_declined"),),
         WorkingDays(3), "SEND Regs 2014 reg 34", actor="mediation_adviser",
         stops=(On("mediation_certificate_issued"),)),
    Rule("R23", "mediation_must_take_place_by", "arrange for mediation to take place",
         (On("mediation_requested", {"health_only": (False,)}),), Days(30),
         "SEND Regs 2014 regs 35-39 [verify numbering]", stops=(On("mediation_concluded"),)),
    Rule("R23", "mediation_icb_told_due",
         "tell the ICB that the parent or young person wants mediation about health issues",
         (On("mediation_requested", {"about_health": (True,)}),), WorkingDays(3),
         "SEND Regs 2014 regs 35-39 [verify numbering]", stops=(On("mediation_icb_told"),)),
    Rule("R23", "mediation_must_take_place_by",
         "arrange for mediation about health issues to take place (30 days from being told)",
         (On("mediation_requested", {"health_only": (True,)}),), Days(30),
         "SEND Regs 2014 regs 35-39 [verify numbering]", stops=(On("mediation_concluded"),),
         actor="commissioning_body", special="icb_told"),
    Rule("R24", "mediation_certificate_due", "issue the certificate after mediation",
         (On("mediation_concluded"),), WorkingDays(3), "SEND Regs 2014 regs 35-39 [verify]",
         actor="mediation_adviser", stops=(On("mediation_certificate_issued"),)),
    Rule("R25", "mediation_agreed_action_due", "do what the mediation agreement requires",
         (On("mediation_agreement", {"appealable": (False,), "by_commissioning_body": (False,)}),),
         Weeks(2), "SEND Regs 2014 reg 42(3)-(4)"),
    Rule("R25", "mediation_agreed_action_due",
         "the commissioning body notifies the LA of the agreement",
         (On("mediation_agreement", {"by_commissioning_body": (True,)}),), Weeks(1),
         "SEND Regs 2014 reg 42(5)", actor="commissioning_body"),
    *(_agreed(*row) for row in REG44),
    Rule("R26", "appeal_deadline",
         "appeal to the First-tier Tribunal (received by 5pm)", (On("decision_letter_sent"),),
         Months(2), "HESC Rules 2008 r.20(1), r.12; CFA 2014 s.51; A7",
         stops=(On("appeal_registered"),), actor="parent", special="appeal", kind="window",
         pairing="letter"),
    # --- After an appeal --------------------------------------------------------------------
    *(_tribunal(*row) for row in REG44),
    _unopposed("unopposed_notify_due", ("refuse_to_assess", "refuse_to_reassess"), 2,
               "notify"),
    _unopposed("unopposed_decision_not_necessary_due",
               ("refuse_to_assess", "refuse_to_reassess"), 10, "decision_not_necessary"),
    _unopposed("unopposed_final_plan_due", ("refuse_to_assess", "refuse_to_reassess"), 14,
               "final_plan", On("final_plan_issued")),
    _unopposed("unopposed_amended_plan_due", ("contents", "cease"), 5, "amended_plan",
               On("amended_plan_issued")),
)

# Which exception grounds may disapply which clock (§5.1 "Scope per clock", §5.2).
CLOCK_GROUNDS: Mapping[str, tuple[str, ...]] = {
    rule.scope: rule.grounds for rule in TIMESCALES if rule.scope is not None
}
