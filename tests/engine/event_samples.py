"""Minimal valid events of every type, for the history and stage-machine tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.events import CaseEvent, parse_event

# The fields each type needs beyond ``type`` and ``date``; the label field (outcome, order,
# appeal) is passed by the test when it matters.
REQUIRED: dict[str, dict[str, Any]] = {
    "decision_to_assess_notified": {"outcome": "assess"},
    "advice_requested": {"advisor": "educational_psychologist"},
    "advice_received": {"advisor": "educational_psychologist"},
    "absence_from_area": {"from": "2025-01-01", "to": "2025-02-01"},
    "exception_recorded": {"ground": "reg10_4_c_exceptional_personal_circumstances",
                           "applies_to": ["final_plan"]},
    "school_consulted": {"school": "URN100000"},
    "review_meeting_scheduled": {"meeting_date": "2025-12-01"},
    "review_decision_notified": {"outcome": "maintain"},
    "decision_letter_sent": {"decision": "refuse_to_assess"},
    "reassessment_decision_notified": {"outcome": "reassess"},
    "move_notified_to_old_la": {"move_date": "2025-12-01"},
    "tribunal_order": {"order": "assess"},
    "tribunal_order_complied": {"step": "notify"},
    "unopposed_appeal_notified": {"appeal": "refuse_to_assess"},
    "event_withdrawn": {"withdraws": "x", "reason": "typed in error"},
    "case_closed": {"reason": "request_withdrawn"},
}
LABEL_VALUES: dict[str, tuple[str, ...]] = {
    "decision_to_assess_notified": ("assess", "refuse"),
    "reassessment_decision_notified": ("reassess", "refuse"),
    "review_decision_notified": ("maintain", "amend", "cease"),
    "tribunal_order": ("assess", "reassess", "make_and_maintain_plan", "amend_plan",
                       "name_school", "continue_to_maintain", "cease_dismissed"),
    "unopposed_appeal_notified": ("refuse_to_assess", "refuse_to_reassess", "contents", "cease"),
}


def data(kind: str, day: str | dt.date, **fields: Any) -> dict[str, Any]:
    """JSON-like data for one event of ``kind`` on ``day`` (the label may be "type:value")."""
    kind, _, value = kind.partition(":")
    out: dict[str, Any] = {"type": kind, **REQUIRED.get(kind, {})}
    day = str(day)
    if kind == "school_closure":
        out.update(school="URN100000", closed_from=day, reopens_on="2099-01-01")
    elif kind == "phase_transfer_expected":
        out.update({"from": "secondary", "to": "post16_institution", "transfer_date": day})
    else:
        out["date"] = day
    if value:
        field = {"tribunal_order": "order", "unopposed_appeal_notified": "appeal"}.get(
            kind, "outcome")
        out[field] = value
    out.update(fields)
    return out


def make(kind: str, day: str | dt.date, **fields: Any) -> CaseEvent:
    """A validated event; see ``data``."""
    return parse_event(data(kind, day, **fields))
