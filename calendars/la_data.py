"""The per-local-authority calendar file format (``calendars/data/<la-code>.yaml``).

One YAML file per English local authority: who it is, where its dates come from, bank
holiday overrides (a royal proclamation can add or move a day), the LA's default term
dates and INSET days, explicit closures, and per-school overrides (academies and other
schools that set their own dates). ``docs/calendar-format.md`` documents every field.

Validation is strict (unknown keys are refused) so a typo cannot silently drop a date;
every error names the file and the field, e.g.
``E10000028.yaml: terms[2].last_day: term ends (2025-12-01) before it starts (2026-01-05)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from calendars.errors import CalendarError

# ONS GSS codes of the English authorities that carry SEND duties: unitary authorities
# (E06), metropolitan districts (E08), London boroughs and the City (E09), counties (E10).
LA_CODE_PATTERN = r"^E(06|08|09|10)\d{6}$"


class CalendarDataError(CalendarError, ValueError):
    """A calendar data file is malformed; ``str(error)`` names the file and each field."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        where = f"{source}: " if source else ""
        super().__init__("\n".join(f"{where}{problem}" for problem in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A published document the dates were taken from."""

    id: Annotated[str, Field(min_length=1)]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    retrieved: dt.date
    publisher: str = ""
    covers: str = ""


class NamedDay(_Strict):
    date: dt.date
    name: Annotated[str, Field(min_length=1)]


class BankHolidayOverrides(_Strict):
    """Days to add to (proclaimed) or remove from the England & Wales bank holidays."""

    add: tuple[NamedDay, ...] = ()
    remove: tuple[dt.date, ...] = ()

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        weekend = [str(day.date) for day in self.add if day.date.weekday() >= 5]
        if weekend:
            raise ValueError(f"added bank holiday on a weekend: {', '.join(weekend)}")
        both = sorted({day.date for day in self.add} & set(self.remove))
        if both:
            raise ValueError(f"both added and removed: {', '.join(map(str, both))}")
        return self


class DateSpan(_Strict):
    """Inclusive span of days, e.g. a half-term break."""

    first_day: dt.date
    last_day: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.last_day < self.first_day:
            raise ValueError(f"last_day ({self.last_day}) is before first_day ({self.first_day})")
        return self


class Term(_Strict):
    """A school term: ``first_day`` to ``last_day`` inclusive, minus its ``breaks``."""

    name: Annotated[str, Field(min_length=1)]
    first_day: dt.date
    last_day: dt.date
    breaks: tuple[DateSpan, ...] = ()
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.last_day < self.first_day:
            raise ValueError(
                f"term ends ({self.last_day}) before it starts ({self.first_day})"
            )
        for brk in self.breaks:
            if brk.first_day <= self.first_day or brk.last_day >= self.last_day:
                raise ValueError(
                    f"break {brk.first_day}..{brk.last_day} is not strictly inside the term "
                    f"{self.first_day}..{self.last_day}"
                )
        return self


class ExplicitClosure(_Strict):
    """A closure given directly: first closed day and first day open to staff again (A9)."""

    closed_from: dt.date
    reopens_on: dt.date
    note: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.reopens_on <= self.closed_from:
            raise ValueError(
                f"reopens_on ({self.reopens_on}) is not after closed_from ({self.closed_from})"
            )
        return self


class SchoolCalendar(_Strict):
    """One school's own dates. A field left out falls back to the LA's default."""

    name: Annotated[str, Field(min_length=1)]
    urn: str = ""
    sources: tuple[Source, ...] = ()
    terms: tuple[Term, ...] | None = None
    inset_days: tuple[dt.date, ...] | None = None
    closures: tuple[ExplicitClosure, ...] | None = None


class LaCalendarData(_Strict):
    """Everything known about one local authority's calendar."""

    la_code: Annotated[str, Field(pattern=LA_CODE_PATTERN)]
    la_name: Annotated[str, Field(min_length=1)]
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    notes: str = ""
    bank_holidays: BankHolidayOverrides = BankHolidayOverrides()
    terms: tuple[Term, ...] = ()
    inset_days: tuple[dt.date, ...] = ()
    closures: tuple[ExplicitClosure, ...] = ()
    schools: dict[str, SchoolCalendar] = {}

    @model_validator(mode="after")
    def _sources_resolve(self) -> Self:
        known = {source.id for source in self.sources}
        for school in self.schools.values():
            known |= {source.id for source in school.sources}
        cited = [term.source for term in self._all_terms()]
        cited += [closure.source for closure in self._all_closures()]
        missing = sorted({ref for ref in cited if ref and ref not in known})
        if missing:
            raise ValueError(f"unknown source id(s): {', '.join(missing)}")
        return self

    def _all_terms(self) -> list[Term]:
        terms = list(self.terms)
        for school in self.schools.values():
            terms += school.terms or ()
        return terms

    def _all_closures(self) -> list[ExplicitClosure]:
        closures = list(self.closures)
        for school in self.schools.values():
            closures += school.closures or ()
        return closures

    def source_url(self, source_id: str) -> str:
        """The URL of the source with ``source_id`` (LA-wide or a school's), else ``""``."""
        sources = list(self.sources)
        for school in self.schools.values():
            sources += school.sources
        return next((s.url for s in sources if s.id == source_id), "")


class _DatesAsText(yaml.SafeLoader):
    """Leaves dates as text: PyYAML would raise a bare ValueError for 2025-13-01, whereas
    pydantic reports a bad date together with the field it is in."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "(top level)"


def parse_calendar_data(text: str, *, source: str = "") -> LaCalendarData:
    """Parse and validate one LA calendar file.

    Args:
        text: The YAML text of the file.
        source: A name for the text (usually the file name), used in error messages.

    Returns:
        The validated data.

    Raises:
        CalendarDataError: The text is not YAML, or a field is missing, unknown or wrong;
            the message names ``source`` and each offending field.
    """
    try:
        raw: Any = yaml.load(text, Loader=_DatesAsText)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CalendarDataError(source, [f"{where}not valid YAML: {problem}"]) from exc
    if not isinstance(raw, dict):
        raise CalendarDataError(source, ["expected a mapping of fields at the top level"])
    try:
        return LaCalendarData.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{_field_path(err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        ]
        raise CalendarDataError(source, problems) from exc
