"""Red, amber or green by how close a deadline is -- always with the words too, never
colour alone (WCAG 1.4.1): breached is red, due within the worklist's horizon (10 working
days, ``engine.status.DUE_SOON_WORKING_DAYS``) amber, anything further off green."""

from __future__ import annotations

from dataclasses import dataclass

from engine.status import Status

_TAG = "govuk-tag govuk-tag--"


@dataclass(frozen=True)
class Urgency:
    rag: str  # "red", "amber", "green" or "none" (met, disapplied, nothing open)
    text: str  # what the tag says
    classes: str  # the Design System tag's classes


def urgency(status: Status | None, days_late: int | None = None) -> Urgency:
    if status is Status.BREACHED:
        late = f"Overdue by {days_late} day{'' if days_late == 1 else 's'}" if days_late \
            else "Overdue"
        return Urgency("red", late, _TAG + "red")
    if status is Status.DUE_SOON:
        return Urgency("amber", "Due soon", _TAG + "orange")
    if status is Status.PENDING:
        return Urgency("green", "On track", _TAG + "green")
    words = {Status.MET_ON_TIME: "Met on time", Status.MET_LATE: "Met late",
             Status.DISAPPLIED: "Exception applies"}
    return Urgency("none", words.get(status, "No open deadline") if status else
                   "No open deadline", _TAG + "grey")
