"""What an outbox row says, as plain values: the allow-list of what an email may carry.

A notice is stored as JSON in the outbox when the sweep decides it and rendered when it
is sent, so a retry sends the same words. Only the fields below ever reach a message:
case references, rules, dates and roles; a child's name or needs only in ``personal``,
which the sweep fills only when ``EHC_EMAIL_INCLUDE_PERSONAL_DATA`` is on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from engine.escalation import Escalation, Role

_NOTICE_DATES = ("due", "nominal", "premature_on", "fires_on")


@dataclass(frozen=True)
class EscalationNotice:
    case_ref: str
    deadline_key: str
    instance: str
    rule: str
    level: str
    track: str
    when: str
    working_days: int
    statutory: bool
    due: dt.date | None
    nominal: dt.date
    premature_on: dt.date | None
    fires_on: dt.date
    days_late: int | None
    citation: str
    recipient_role: str
    recipient_name: str = ""
    personal: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_escalation(
        cls,
        esc: Escalation,
        role: Role,
        recipient_name: str = "",
        personal: dict[str, str] | None = None,
    ) -> EscalationNotice:
        return cls(
            case_ref=esc.case_ref, deadline_key=esc.deadline_key, instance=esc.instance,
            rule=esc.rule, level=esc.level, track=str(esc.track), when=esc.when,
            working_days=esc.working_days, statutory=esc.statutory, due=esc.due,
            nominal=esc.nominal, premature_on=esc.premature_on, fires_on=esc.fires_on,
            days_late=esc.days_late, citation=esc.citation, recipient_role=str(role),
            recipient_name=recipient_name, personal=dict(personal or {}),
        )

    def to_payload(self) -> dict[str, Any]:
        # Its fields are plain values but for four dates and ``personal`` (a national
        # night turns tens of thousands of notices into payloads).
        payload = dict(self.__dict__, personal=dict(self.personal))
        for name in _NOTICE_DATES:
            if payload[name] is not None:
                payload[name] = payload[name].isoformat()
        return payload

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> EscalationNotice:
        return cls(**{k: (_date(v) if k in _NOTICE_DATES else v) for k, v in data.items()})


@dataclass(frozen=True)
class DigestItem:
    case_ref: str
    deadline_key: str
    rule: str
    statutory: bool
    due: dt.date
    status: str
    days_late: int | None
    caseworker: str


@dataclass(frozen=True)
class DigestNotice:
    as_of: dt.date
    recipient_role: str
    recipient_name: str
    working_days: int
    overdue: int
    due_soon: int
    items: tuple[DigestItem, ...]  # the first of them, most urgent first (a long list is cut)

    def to_payload(self) -> dict[str, Any]:
        return _payload(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> DigestNotice:
        items = tuple(
            DigestItem(**{**item, "due": _date(item["due"])}) for item in data["items"]
        )
        return cls(
            as_of=_date(data["as_of"]), recipient_role=data["recipient_role"],
            recipient_name=data["recipient_name"], working_days=data["working_days"],
            overdue=data["overdue"], due_soon=data["due_soon"], items=items,
        )


def _payload(notice: EscalationNotice | DigestNotice) -> dict[str, Any]:
    payload: dict[str, Any] = _jsonable(notice)
    return payload


def _jsonable(value: Any) -> Any:
    """``value`` as JSON-ready data. By hand rather than ``asdict``, whose deep copy was a
    sixth of a national sweep's time; plain values (most of them) are answered first."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    return value


def _date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
