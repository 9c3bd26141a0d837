"""The explanation a family can follow: the same facts as the staff explanation, in plain
English (docs/case-format.md §8).

One short sentence per fact; dates with their day names (Monday 6 January 2025); no rule
codes, no citations, no "[verify]" markers. The family view and emails use this text; the
staff explanation (``engine.deadlines``) keeps the arithmetic and the sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

from engine.events import CaseEvent, ExceptionRecorded, event_date
from engine.periods import day_name
from engine.rules import Rule


class Explained(Protocol):
    """What the family's explanation reads from a clock (``engine.clocks.Clock``), named
    here so this module need not import the fold that imports it."""

    @property
    def rule(self) -> Rule: ...
    @property
    def nominal(self) -> dt.date: ...
    @property
    def met_on(self) -> dt.date | None: ...
    @property
    def premature_on(self) -> dt.date | None: ...
    @property
    def plain_start(self) -> str: ...
    @property
    def plain_notes(self) -> Sequence[str]: ...
    @property
    def plain_facts(self) -> Sequence[str]: ...

# Each trigger as a noun phrase; "{day}" is its date with the day's name.
EVENT_PHRASES: Mapping[str, str] = {
    "request_received": "the day the council received the request for an assessment, {day}",
    "la_became_responsible": "the day the council became responsible for your child, {day}",
    "decision_to_assess_notified": "the council's decision about the assessment on {day}",
    "advice_requested": "the council's request for advice on {day}",
    "draft_plan_served": "the day the draft plan was sent to you, {day}",
    "draft_plan_posted": "the day the draft plan was posted, {day}",
    "school_consulted": "the day the council asked the school or college, {day}",
    "final_plan_issued": "the day the final plan was issued, {day}",
    "plan_last_reviewed": "the plan's last review on {day}",
    "review_meeting_scheduled": "the day the review meeting was booked, {day}",
    "review_meeting_held": "the review meeting on {day}",
    "review_decision_notified": "the council's review decision on {day}",
    "amendment_notice_served": "the day the council sent you the proposed changes, {day}",
    "phase_transfer_expected": "the move on {day}",
    "reassessment_request_received": "the day the council received the request to "
                                     "re-assess, {day}",
    "reassessment_decision_notified": "the council's decision to re-assess on {day}",
    "move_notified_to_old_la": "the day the old council learnt of the move, {day}",
    "plan_transferred": "the day the plan was passed to the new council, {day}",
    "decision_letter_sent": "the day the council sent its decision letter, {day}",
    "mediation_requested": "the day you asked for mediation, {day}",
    "mediation_icb_told": "the day the council told the health service, {day}",
    "mediation_declined": "the day you told the mediation adviser you did not want "
                          "mediation, {day}",
    "mediation_concluded": "the end of mediation on {day}",
    "mediation_certificate_issued": "the mediation certificate of {day}",
    "mediation_agreement": "the mediation agreement of {day}",
    "tribunal_order": "the Tribunal's order of {day}",
    "unopposed_appeal_notified": "the day the council told the Tribunal it would not "
                                 "oppose the appeal, {day}",
}

# What must happen, as the start of a sentence ending "by <day>." (or, for windows,
# the whole first sentence with "{day}").
DUTIES: Mapping[str, str] = {
    "decision_to_assess_due": "The council must tell you whether it will assess your "
                              "child's needs",
    "advice_due": "The professional the council asked must send their advice",
    "decision_not_to_issue_due": "If the council decides not to issue a plan, it must tell you",
    "draft_deemed_served": "The posted draft plan counts as delivered on {day}.",
    "draft_representations_end": "You have until the end of {day} to comment on the draft "
                                  "plan and to ask for a school or college.",
    "school_consultation_response_due": "The school or college the council asked should "
                                        "reply",
    "final_plan_due": "The council must issue the final plan",
    "annual_review_due": "The council must finish the yearly review and tell you its decision",
    "advisory_under5_review_3_months": "For a child under 5, the council should think about "
                                       "a first early review",
    "advisory_under5_review_6_months": "For a child under 5, the council should think about "
                                       "a second early review",
    "review_invitation_latest": "Everyone invited must be told the date of the review "
                                "meeting",
    "review_advice_circulation_latest": "The advice for the review meeting must be sent out",
    "review_report_due": "The report of the review meeting must be sent",
    "review_decision_due": "The council must tell you what it decided after the review "
                           "meeting",
    "amendment_notice_due": "The council must send you the changes it wants to make to the "
                            "plan",
    "amendment_deemed_served": "The posted proposed changes count as delivered on {day}.",
    "amendment_representations_end": "You have until the end of {day} to comment on the "
                                     "proposed changes.",
    "amended_plan_reg22_due": "The council must issue the amended plan",
    "amended_plan_devon_backstop": "The council must issue the amended plan",
    "amended_plan_final_due": "The council must issue the amended plan",
    "phase_transfer_named_date": "The law says the plan must be ready before {day}.",
    "phase_transfer_last_day": "The council must review the plan and name the new school or "
                               "college",
    "post16_transfer_amend_by": "The council must review the plan and name the new college",
    "reassessment_decision_due": "The council must tell you whether it will re-assess your "
                                 "child's needs",
    "reassessment_final_plan_due": "The council must issue the plan after the re-assessment",
    "plan_transfer_due": "The old council must pass the plan to the new council",
    "new_la_notification_due": "The new council must write to you about the plan",
    "transferred_plan_review_due": "The new council must review the plan",
    "mediation_adviser_contact_due": "You have until {day} to contact the mediation adviser. "
                                     "You need to do this before most appeals.",
    "mediation_certificate_due": "The mediation adviser must send you a certificate",
    "mediation_icb_told_due": "The council must tell the health service (the ICB) that you "
                              "want mediation",
    "mediation_must_take_place_by": "Mediation must take place",
    "mediation_agreed_action_due": "What was agreed in mediation must be done",
    "appeal_deadline": "You can appeal to the Tribunal until 5pm on {day}.",
}
_AFTER_AN_ORDER = {
    "notify": "tell you it will carry out the assessment",
    "decision_not_necessary": "tell you if it decides a plan is not needed",
    "draft_plan": "send you the draft plan",
    "final_plan": "issue the final plan",
    "amended_plan": "issue the amended plan",
    "name_school": "issue the plan naming the school",
}


def duty(key: str) -> str:
    """The family's wording of the duty under ``key``."""
    if key in DUTIES:
        return DUTIES[key]
    step = key.split("_", 1)[1].removesuffix("_due")
    if key.startswith("tribunal_"):
        return f"The council must do what the Tribunal ordered and {_AFTER_AN_ORDER[step]}"
    if key.startswith("unopposed_"):
        return f"The council is not opposing your appeal, so it must {_AFTER_AN_ORDER[step]}"
    step = key.removeprefix("mediation_agreed_").removesuffix("_due")
    return f"As agreed in mediation, the council must {_AFTER_AN_ORDER[step]}"


def event_phrase(event: CaseEvent) -> str:
    """The event as a noun phrase with its date: "the review meeting on Monday 3 March
    2025"."""
    phrase = EVENT_PHRASES.get(event.type, event.type.replace("_", " ") + " on {day}")
    return phrase.format(day=day_name(event_date(event)))


def explain(
    clock: Explained,
    exception: ExceptionRecorded | None,
    *,
    working_day: bool,
) -> str:
    """The family's explanation of one clock (``working_day``: whether its date is one)."""
    rule = clock.rule
    wording = duty(rule.key)
    if exception is not None:
        parts = [
            f"{wording} as soon as it can.",
            f"The usual time limit, {day_name(clock.nominal)}, does not apply.",
            f"On {day_name(exception.date)} the council recorded a reason allowed by law why "
            "it could not keep to it.",
        ]
    elif "{day}" in wording:
        parts = [wording.format(day=day_name(clock.nominal))]
    else:
        parts = [f"{wording} by {day_name(clock.nominal)}."]
    counted = rule.period.plain(clock.plain_start) if clock.plain_start else ""
    if clock.plain_notes:
        parts.extend(clock.plain_notes)
    elif counted and counted != clock.plain_start:  # a date that is its start says no more
        parts.append(_sentence(counted))
    parts.extend(clock.plain_facts)
    if rule.kind == "window" and rule.premature:
        parts.append(
            f"The council must not finish the plan before {day_name(clock.nominal + _DAY)}."
        )
    if rule.kind == "limit" and exception is None and not working_day:
        what = "a weekend" if clock.nominal.weekday() >= 5 else "a bank holiday"
        parts.append(f"That day is {what}. The date does not move because of that.")
    if clock.met_on is not None and rule.kind == "limit":
        late = (clock.met_on - clock.nominal).days
        timing = f"{late} day{'s' if late > 1 else ''} late" if late > 0 else "in time"
        done = f"It was done on {day_name(clock.met_on)}"
        parts.append(f"{done}." if exception is not None else f"{done}, {timing}.")
    if clock.premature_on is not None:
        parts.append(
            f"But the council acted on {day_name(clock.premature_on)}, before this time was up."
        )
    if not rule.statutory:
        parts.append("This date is guidance, not a legal time limit.")
    return " ".join(parts)


_DAY = dt.timedelta(days=1)


def _sentence(text: str) -> str:
    return f"This is {text}."
