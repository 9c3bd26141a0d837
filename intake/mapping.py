"""The mapping file: how one council's workbook says what happened (docs/import-format.md).

It names the column holding each fact (reference, caseworker, team, each dated event,
the outcome of a decision, each adviser's request and receipt), the text date formats the
council types, and the council's words for the vocabulary ("Agreed" -> ``assess``,
"EP" -> ``educational_psychologist``). Validated with pydantic: an unknown key, an event
type the engine does not know or an outcome word mapped to something impossible is
refused with where it is in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# The outcome field of each event type whose outcome a workbook gives in words.
OUTCOMES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "decision_to_assess_notified": ("outcome", ("assess", "refuse")),
    "review_decision_notified": ("outcome", ("maintain", "amend", "cease")),
    "case_closed": ("reason", ("plan_ceased", "moved_away", "request_withdrawn")),
}
# Dated events a row may give directly (one column each); advice has its own section.
ROW_EVENTS = (
    "request_received", "la_became_responsible", "decision_to_assess_notified",
    "decision_not_to_issue_notified", "draft_plan_served", "draft_plan_posted",
    "final_plan_issued", "plan_last_reviewed", "review_meeting_held",
    "review_decision_notified", "amendment_notice_served", "amended_plan_issued",
    "case_closed",
)
UK_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
                   "%Y-%m-%d")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(_Strict):
    reference: str
    caseworker: str | None = None
    team: str | None = None
    year_group: str | None = None  # e.g. "NCY": infers the phase transfer next September


class Outcome(_Strict):
    column: str
    values: dict[str, str] = Field(min_length=1)  # the council's word -> the vocabulary's


class Advice(_Strict):
    """One adviser's request and receipt: a fixed adviser, or a column naming one; health
    and other advisers also name their organisation (fixed, or from a column)."""

    adviser: str | None = None
    adviser_column: str | None = None
    requested: str
    received: str | None = None
    organisation: str | None = None
    organisation_column: str | None = None

    @model_validator(mode="after")
    def _one_adviser(self) -> Advice:
        if (self.adviser is None) == (self.adviser_column is None):
            raise ValueError("give either 'adviser' (who) or 'adviser_column' (where it says)")
        return self


class CaseloadMapping(_Strict):
    sheet: str | None = None  # default: the workbook's first sheet
    local_authority: str = Field(min_length=1)
    process: Literal["auto", "assessment", "review"] = "auto"
    date_formats: tuple[str, ...] = Field(UK_DATE_FORMATS, min_length=1)
    columns: Columns
    events: dict[str, str] = Field(default_factory=dict)  # event type -> its date's column
    outcomes: dict[str, Outcome] = Field(default_factory=dict)
    advice: tuple[Advice, ...] = ()
    advisers: dict[str, str] = Field(default_factory=dict)  # council's word -> adviser type
    caseworkers: dict[str, str] = Field(default_factory=dict)  # council's name -> username
    default_caseworker: str | None = None

    @model_validator(mode="after")
    def _known_names(self) -> CaseloadMapping:
        for kind in self.events:
            if kind not in ROW_EVENTS:
                raise ValueError(f"events: {kind!r} is not an event a row can date (one of "
                                 f"{', '.join(ROW_EVENTS)})")
        for kind, outcome in self.outcomes.items():
            if kind not in OUTCOMES:
                raise ValueError(f"outcomes: {kind!r} has no outcome in words (only "
                                 f"{', '.join(OUTCOMES)})")
            if kind not in self.events:
                raise ValueError(f"outcomes: {kind!r} needs the column of its date under "
                                 "'events' too")
            allowed = OUTCOMES[kind][1]
            for word, value in outcome.values.items():
                if value not in allowed:
                    raise ValueError(f"outcomes.{kind}: {word!r} -> {value!r} is not one of "
                                     f"{', '.join(allowed)}")
        return self

    def wanted_columns(self) -> tuple[str, ...]:
        """Every column the mapping names, in a stable order (the reference first)."""
        names = [self.columns.reference, self.columns.caseworker, self.columns.team,
                 self.columns.year_group, *self.events.values(),
                 *(o.column for o in self.outcomes.values())]
        for advice in self.advice:
            names += [advice.adviser_column, advice.requested, advice.received,
                      advice.organisation_column]
        return tuple(dict.fromkeys(n for n in names if n))


class Sen2Mapping(_Strict):
    """The little a SEN2 return needs besides itself: who gets the cases, what they are
    called, and the authority when the return gives only its three-digit number."""

    caseworker: str | None = None
    reference_prefix: str = Field("SEN2-", min_length=1, max_length=20)
    local_authority: str | None = None


M = TypeVar("M", bound=BaseModel)


class MappingError(ValueError):
    """A mapping file that cannot be used: ``str()`` says where and why."""


def load_mapping(text: str, source: str = "mapping") -> CaseloadMapping:
    return _load(CaseloadMapping, text, source)


def load_sen2_mapping(text: str, source: str = "mapping") -> Sen2Mapping:
    return _load(Sen2Mapping, text, source)


def _load(model: type[M], text: str, source: str) -> M:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise MappingError(f"{source}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise MappingError(f"{source}: expected a mapping of keys (see docs/import-format.md)")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "top level"
        message = error["msg"].removeprefix("Value error, ")
        raise MappingError(f"{source}: {where}: {message}") from None
