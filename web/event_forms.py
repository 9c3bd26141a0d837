"""The form for recording an event, derived from the engine's own event models.

Each event type's fields (``engine.events``) become the Design System's inputs by their
type: a date is a date input (day, month, year), a closed list a set of radios (or a
select when long), a tuple of a closed list checkboxes, a flag one checkbox, anything else
a text input. So a new event type or field needs no new form, and the form can never ask
for less (or more) than the engine accepts.

Reading a posted form gives back what was typed (to show again on error, nothing lost),
the event as data, and the problems by field id, worded as the Design System's error
messages. The engine's own checks on the whole event run here too (pydantic, at the door);
whether the event is legal in the case's history is the application layer's to say.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from engine.advisers import ADVISER_TYPES
from engine.events import CaseEvent

BOOKKEEPING = frozenset({"type", "id", "supersedes", "recorded_at", "recorded_by"})
NOT_ON_FORMS = frozenset({"received_at"})  # an instant for imports; the form takes ``date``
MAX_RADIOS = 8  # more options than this are a select
MAX_TEXT = 500

Kind = Literal["date", "choice", "choices", "flag", "text"]

LABELS: Mapping[str, str] = {
    "date": "Date it happened",
    "note": "Note (optional)",
    "advisor": "Adviser",
    "received_on": "Date the adviser received the request",
    "from": "From",
    "applies_to": "Which time limits it applies to",
    "withdraws": "Event withdrawn",
}
HINTS: Mapping[str, str] = {
    "date": "The legal date, not the day you are entering it. For example, 27 3 2026",
    "note": "For the case file. Do not include the child's name or other personal details.",
}


@dataclass(frozen=True)
class Field:
    name: str  # the event's key (its alias where it has one: ``from``)
    label: str
    kind: Kind
    required: bool
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    hint: str | None = None

    @property
    def error_id(self) -> str:
        """Where the error summary links to: a date input's first box."""
        return f"{self.name}-day" if self.kind == "date" else self.name


@dataclass(frozen=True)
class Submission:
    typed: Mapping[str, Any]  # what was typed, by input name (to fill the form again)
    event: Mapping[str, Any]  # the event as data (meaningful when there are no problems)
    problems: Mapping[str, str]  # message by field id, in the form's order


def _models() -> dict[str, type[BaseModel]]:
    found = {}
    for model in typing.get_args(typing.get_args(CaseEvent)[0]):
        found[typing.get_args(model.model_fields["type"].annotation)[0]] = model
    return found


MODELS: Mapping[str, type[BaseModel]] = _models()


def words(key: str) -> str:
    """``review_meeting_held`` -> "Review meeting held"."""
    return key.replace("_", " ").strip().capitalize()


def fields_for(event_type: str, fixed: Mapping[str, str] | None = None) -> tuple[Field, ...]:
    """The inputs of ``event_type``'s form, the date first and the note last; ``fixed``
    values (the event a withdrawal withdraws) are the page's, not the user's to type."""
    model = MODELS[event_type]
    found = [_field(info.alias or name, info.annotation, required=info.is_required())
             for name, info in model.model_fields.items()
             if name not in BOOKKEEPING and name not in NOT_ON_FORMS
             and (info.alias or name) not in (fixed or {})]
    return tuple(sorted(found, key=lambda f: (f.name != "date", f.name == "note")))


def prefilled(event_type: str, details: Mapping[str, Any], date: dt.date) -> dict[str, Any]:
    """What the form shows to correct an event already recorded (its details as stored)."""
    typed: dict[str, Any] = {}
    values = {**details, "date": date.isoformat()}
    for spec in fields_for(event_type):
        value = values.get(spec.name)
        if value is None:
            continue
        if spec.kind == "date":
            day = dt.date.fromisoformat(str(value))
            typed |= {f"{spec.name}-day": str(day.day), f"{spec.name}-month": str(day.month),
                      f"{spec.name}-year": str(day.year)}
        elif spec.kind == "choices":
            typed[spec.name] = [str(v) for v in value]
        elif spec.kind == "flag":
            typed[spec.name] = "yes" if value else ""
        else:
            typed[spec.name] = str(value)
    return typed


def read(
    event_type: str, form: Mapping[str, Any], multi: Mapping[str, list[str]],
    fixed: Mapping[str, str] | None = None,
) -> Submission:
    """The posted form as an event of ``event_type``, or the problems with it.

    Args:
        event_type: a key of ``MODELS``.
        form: the form's single values.
        multi: every value of each checkbox group, by name.
        fixed: values the page sets, not the user (see ``fields_for``).
    """
    specs = fields_for(event_type, fixed)
    typed: dict[str, Any] = {}
    event: dict[str, Any] = {"type": event_type, **(fixed or {})}
    problems: dict[str, str] = {}
    for spec in specs:
        value, problem = _read_one(spec, form, multi, typed)
        if problem:
            problems[spec.error_id] = problem
        elif value is not None:
            event[spec.name] = value
    if not problems:
        problems = _model_problems(event_type, event, specs)
    ordered = {spec.error_id: problems[spec.error_id] for spec in specs
               if spec.error_id in problems}
    return Submission(typed, event, ordered)


def _read_one(
    spec: Field, form: Mapping[str, Any], multi: Mapping[str, list[str]], typed: dict[str, Any]
) -> tuple[Any, str | None]:
    label = spec.label.removesuffix(" (optional)")
    if spec.kind == "date":
        parts = {part: str(form.get(f"{spec.name}-{part}", "")).strip()
                 for part in ("day", "month", "year")}
        typed |= {f"{spec.name}-{part}": value for part, value in parts.items()}
        return _date(label, parts, required=spec.required)
    if spec.kind == "choices":
        chosen = [v for v in multi.get(spec.name, []) if v]
        typed[spec.name] = chosen
        allowed = {value for value, _ in spec.options}
        if spec.required and not chosen:
            return None, f"Select {label.lower()}"
        if any(v not in allowed for v in chosen):
            return None, f"Select {label.lower()} from the list"
        return (chosen or None), None
    raw = str(form.get(spec.name, "")).strip()
    typed[spec.name] = raw
    if spec.kind == "flag":
        return raw == "yes", None
    if not raw:
        return None, (f"{'Select' if spec.kind == 'choice' else 'Enter'} {label.lower()}"
                      if spec.required else None)
    if spec.kind == "choice" and raw not in {value for value, _ in spec.options}:
        return None, f"Select {label.lower()} from the list"
    if len(raw) > MAX_TEXT:
        return None, f"{label} must be {MAX_TEXT} characters or fewer"
    return raw, None


def _date(
    label: str, parts: Mapping[str, str], *, required: bool
) -> tuple[str | None, str | None]:
    if not any(parts.values()):
        return None, (f"Enter {label.lower()}" if required else None)
    missing = [part for part, value in parts.items() if not value]
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}"
    try:
        day = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None, f"{label} must be a real date"
    if day.year < 1900:
        return None, f"{label} must be a real date"
    return day.isoformat(), None


def _model_problems(
    event_type: str, event: Mapping[str, Any], specs: tuple[Field, ...]
) -> dict[str, str]:
    """The engine model's own checks (an absence ending before it starts, ...)."""
    try:
        MODELS[event_type].model_validate(event)
    except ValidationError as exc:
        by_name = {spec.name: spec for spec in specs}
        problems: dict[str, str] = {}
        for error in exc.errors():
            where = by_name.get(str(error["loc"][0])) if error["loc"] else None
            target = (where or specs[0]).error_id
            message = error["msg"].removeprefix("Value error, ")
            problems.setdefault(target, message[:1].upper() + message[1:])
        return problems
    return {}


def _field(key: str, annotation: Any, *, required: bool) -> Field:
    label = LABELS.get(key, words(key)) + ("" if required or key == "note" else " (optional)")
    hint = HINTS.get(key)
    inner = _without_none(annotation)
    if key == "advisor":
        options = tuple((kind.key, kind.label) for kind in ADVISER_TYPES)
        return Field(key, label, "choice", required, options, hint)
    if inner is dt.date:
        return Field(key, label, "date", required, hint=hint)
    if inner is bool:
        return Field(key, words(key), "flag", required=False, hint=hint)
    if typing.get_origin(inner) is Literal:
        options = tuple((str(v), words(str(v))) for v in typing.get_args(inner))
        return Field(key, label, "choice", required, options, hint)
    if typing.get_origin(inner) is tuple:
        options = tuple((str(v), words(str(v)))
                        for v in typing.get_args(typing.get_args(inner)[0]))
        return Field(key, label, "choices", required, options, hint)
    return Field(key, label, "text", required, hint=hint)


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation
