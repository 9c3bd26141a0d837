"""The deadline report: deadlines judged on a day, as JSON-ready rows.

This is the documented ``ehc timeline --json`` shape:
``{"deadlines": [{"key", "rule", "instance", "due", "nominal", "status", "met_on",
"days_late", ..., "explanation", "plain_explanation", "warnings"}], "summary": {...}}``
(``ehc timeline`` adds the case's ``warnings``). A disapplied limit has ``"due": null`` and its
computed date under ``nominal``; ``summary`` also lists it flat as ``<name>_nominal``
(``final_plan_nominal``), the form statutory-rules.md §12 names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from calendars.base import WorkingCalendar
from engine.status import Deadline, days_late, status_on


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def deadline_row(deadline: Deadline, as_of: dt.date, calendar: WorkingCalendar) -> dict[str, Any]:
    """One deadline as it stands at the end of ``as_of``."""
    return {
        "key": deadline.key,
        "instance": deadline.instance,
        "rule": deadline.rule,
        "kind": deadline.kind,
        "statutory": deadline.statutory,
        "actor": deadline.actor,
        "due": _iso(deadline.due),
        "nominal": _iso(deadline.nominal),
        "status": status_on(deadline, as_of, calendar).value,
        "met_on": _iso(deadline.met_on),
        "days_late": days_late(deadline, as_of),
        "trigger": deadline.trigger,
        "trigger_date": _iso(deadline.trigger_date),
        "exception": deadline.exception,
        "exceptions_available": list(deadline.exceptions_available),
        "citation": deadline.citation,
        "explanation": deadline.explanation,
        "plain_explanation": deadline.plain_explanation,
        "warnings": list(deadline.warnings),
        "exception_recorded_on": _iso(deadline.exception_recorded_on),
        "escalates": deadline.escalates,
    }


def deadline_rows(
    deadlines: Sequence[Deadline], as_of: dt.date, calendar: WorkingCalendar
) -> list[dict[str, Any]]:
    """Every deadline as a row, in the order given."""
    return [deadline_row(d, as_of, calendar) for d in deadlines]


def summary(deadlines: Sequence[Deadline]) -> dict[str, str | None]:
    """The latest instance of each key, flat: ``{"final_plan_due": null,
    "final_plan_nominal": "2025-05-26", ...}`` (the nominal only when disapplied)."""
    flat: dict[str, str | None] = {}
    for deadline in sorted(deadlines, key=lambda d: d.trigger_date):
        flat[deadline.key] = _iso(deadline.due)
        stem = deadline.key.removesuffix("_due")
        if deadline.due is None:
            flat[f"{stem}_nominal"] = _iso(deadline.nominal)
        else:
            flat.pop(f"{stem}_nominal", None)
    return flat


def report(
    deadlines: Sequence[Deadline], as_of: dt.date, calendar: WorkingCalendar
) -> dict[str, Any]:
    """The whole ``--json`` document."""
    return {
        "as_of": as_of.isoformat(),
        "deadlines": deadline_rows(deadlines, as_of, calendar),
        "summary": summary(deadlines),
    }
