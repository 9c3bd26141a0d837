"""One row of a council's workbook -> the events of one case, and what the report says.

Every dated cell the mapping names becomes one event in the documented format
(docs/case-format.md); outcomes come from their own columns in the council's words.
Nothing is invented without saying so: an outcome left blank is inferred only where
the later steps in the same row settle it (a draft or a plan follows only a decision to
assess), otherwise the decision is left out and reported missing. Then the row's events
go through the engine (``parse_event``, ``check_history``): what cannot have happened is
reported at the column whose date the engine refused.

Dates before the current rules (1 September 2014) are refused unless the import is of
history: then every event of the row carries ``"imported": true``, the flag the engine
accepts older dates under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.advisers import AdviserVocabulary
from engine.errors import EngineError, IllegalTransition, InvalidEvent
from engine.events import CaseEvent, parse_event
from engine.history import sort_key
from engine.stages import check_history
from intake.dates import read_date
from intake.issues import Issue, PlannedCase, PlannedEvent
from intake.mapping import OUTCOMES, Advice, CaseloadMapping
from intake.sheet import Cell, Row, Table, normal

ACT_IN_FORCE = dt.date(2014, 9, 1)  # CFA 2014 Part 3 and the SEND Regulations 2014
HISTORY_FLAG = "imported"  # the engine's field for events brought from an older system
# Steps that only follow a decision to assess: a blank outcome before them is "assess".
_AFTER_ASSESS = ("draft_plan_served", "draft_plan_posted", "final_plan_issued",
                 "decision_not_to_issue_notified")
_PLAN_FACTS = ("final_plan_issued", "plan_last_reviewed", "review_meeting_held",
               "review_decision_notified", "amendment_notice_served", "amended_plan_issued")
_DEFAULT_METHOD = {"draft_plan_served": "email", "draft_plan_posted": "first_class_post"}
# National curriculum year now -> the phase transfer next September (reg 18).
TRANSFERS: Mapping[str, tuple[str, str]] = {
    "N2": ("early_years", "school"), "6": ("primary", "secondary"),
    "11": ("secondary", "post16_institution"),
}


def plan_rows(
    table: Table,
    mapping: CaseloadMapping,
    *,
    as_of: dt.date,
    history: bool,
    advisers: AdviserVocabulary = AdviserVocabulary(),  # noqa: B008 - frozen, shared
) -> list[PlannedCase]:
    """Every data row of ``table`` as a planned case (blank rows are already gone);
    advisers are named by ``advisers``' types (the closed list, plus the authority's)."""
    planned: list[PlannedCase] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        case = _RowReader(table, mapping, row, as_of, history, advisers).plan()
        if case.reference and case.reference in first_row:
            repeat = Issue(row.number, str(table.columns[table.position(
                mapping.columns.reference)]), "repeated_reference",
                f"case {case.reference} is already on row {first_row[case.reference]}: "
                "one row per case")
            case = PlannedCase(case.row, case.reference, case.process, case.caseworker,
                               case.team, case.events, (*case.issues, repeat))
        else:
            first_row[case.reference] = row.number
        planned.append(case)
    return planned


def next_september(as_of: dt.date) -> dt.date:
    """1 September of the coming school year (this year's, until the end of August)."""
    return dt.date(as_of.year if as_of.month < 9 else as_of.year + 1, 9, 1)


@dataclass
class _RowReader:
    table: Table
    mapping: CaseloadMapping
    row: Row
    as_of: dt.date
    history: bool
    advisers: AdviserVocabulary
    issues: list[Issue] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)

    def plan(self) -> PlannedCase:
        columns = self.mapping.columns
        reference = self._text(columns.reference)
        if not reference:
            self._issue(columns.reference, "no_reference",
                        "no case reference: the row is left out")
            return PlannedCase(self.row.number, "", "", None, None, (), tuple(self.issues))
        dates = self._dates()
        self._dated_events(dates)
        self._advice()
        process = self._process(dates)
        self._transfer(process)
        events = self._checked()
        worker = self._text(columns.caseworker) if columns.caseworker else ""
        caseworker = self.mapping.caseworkers.get(worker, worker) or \
            self.mapping.default_caseworker
        team = self._text(columns.team) if columns.team else None
        return PlannedCase(self.row.number, reference, process, caseworker, team or None,
                           events, tuple(self.issues))

    # cells

    def _cell(self, name: str) -> Cell:
        return self.row.cells[self.table.position(name)]

    def _text(self, name: str) -> str:
        value = self._cell(name)
        return "" if value is None else " ".join(str(value).split())

    def _where(self, name: str) -> str:
        return str(self.table.columns[self.table.position(name)])

    def _issue(self, name: str | None, kind: str, message: str) -> None:
        where = self._where(name) if name else None
        self.issues.append(Issue(self.row.number, where, kind, message))

    def _date(self, name: str) -> dt.date | None:
        cell = self._cell(name)
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return None
        try:
            day, how = read_date(cell, self.mapping.date_formats)
        except ValueError as exc:
            self._issue(name, "bad_date", str(exc))
            return None
        if how is not None:
            self._issue(name, "serial_date", f"read {how} as {day:%d/%m/%Y}")
        if day > self.as_of:
            self._issue(name, "in_the_future", f"{day:%d/%m/%Y} is after today "
                        f"({self.as_of:%d/%m/%Y}): a step cannot be recorded before it happens")
            return None
        if day < ACT_IN_FORCE:
            if not self.history:
                self._issue(name, "before_the_act", f"{day:%d/%m/%Y} is before the current "
                            "rules (1 September 2014): import older cases with --history")
                return None
            self._issue(name, "history", f"{day:%d/%m/%Y} is before the current rules: "
                        f"imported as history (\"{HISTORY_FLAG}\": true)")
        return day

    def _word(self, name: str, words: Mapping[str, str], what: str) -> str | None:
        said = self._text(name)
        known = {normal(k): v for k, v in words.items()}
        if normal(said) in known:
            return known[normal(said)]
        listed = ", ".join(repr(k) for k in words) or "none"
        self._issue(name, "unknown_word", f"{said!r} is not a word the mapping knows for "
                    f"{what} (it knows {listed})")
        return None

    # events

    def _dates(self) -> dict[str, dt.date]:
        found = {}
        for kind, column in self.mapping.events.items():
            day = self._date(column)
            if day is not None:
                found[kind] = day
        return found

    def _add(self, column: str | None, data: dict[str, Any]) -> None:
        if self.history:
            data[HISTORY_FLAG] = True
        self.events.append(PlannedEvent(data, self._where(column) if column else None))

    def _dated_events(self, dates: Mapping[str, dt.date]) -> None:
        for kind, day in dates.items():
            column = self.mapping.events[kind]
            data: dict[str, Any] = {"type": kind, "date": day.isoformat()}
            if kind in OUTCOMES:
                outcome = self._outcome(kind, dates)
                if outcome is None:
                    continue
                data[OUTCOMES[kind][0]] = outcome
            if kind in _DEFAULT_METHOD:
                data["method"] = _DEFAULT_METHOD[kind]
                self._issue(column, "inferred_method", f"taken as served by "
                            f"{_DEFAULT_METHOD[kind].replace('_', ' ')}: the file does not "
                            "say how")
            self._add(column, data)
        for kind, words in self.mapping.outcomes.items():
            if kind not in dates and self._text(words.column) and \
                    not self._text(self.mapping.events[kind]):
                self._issue(words.column, "missing_date", f"{self._text(words.column)!r} "
                            f"without a date in {self._where(self.mapping.events[kind])}: "
                            "left out")
        self._decision_needs_meeting(dates)

    def _outcome(self, kind: str, dates: Mapping[str, dt.date]) -> str | None:
        given = self.mapping.outcomes.get(kind)
        if given is not None and self._text(given.column):
            return self._word(given.column, given.values, kind.replace("_", " "))
        inferred = _inferred_outcome(kind, dates)
        where = given.column if given else self.mapping.events[kind]
        if inferred is not None:
            self._issue(where, "inferred_outcome", f"{kind.replace('_', ' ')}: taken as "
                        f"{inferred!r} (a draft, a plan or a decision not to issue follows "
                        "in the same row)")
            return inferred
        self._issue(where, "missing_outcome", f"{kind.replace('_', ' ')} dated "
                    f"{dates[kind]:%d/%m/%Y} has no outcome: left out")
        return None

    def _decision_needs_meeting(self, dates: Mapping[str, dt.date]) -> None:
        meeting = self.mapping.events.get("review_meeting_held")
        if meeting and "review_decision_notified" in dates and "review_meeting_held" not in \
                dates and not self._text(meeting):
            self._issue(self.mapping.events["review_decision_notified"], "without_its_step",
                        f"a review decision without a review: {self._where(meeting)} is "
                        "blank (give the meeting's date, or map the date as plan_last_reviewed)")

    def _advice(self) -> None:
        for advice in self.mapping.advice:
            asked = self._date(advice.requested)
            came = self._date(advice.received) if advice.received else None
            if asked is None and came is None:
                continue
            named = self._adviser(advice)
            if named is None:
                continue
            adviser, organisation = named
            if asked is not None:
                self._add(advice.requested, {"type": "advice_requested",
                                             "date": asked.isoformat(), "advisor": adviser,
                                             **organisation})
            if came is not None and asked is None:
                assert advice.received is not None
                self._issue(advice.received, "without_its_step", f"{adviser} advice received "
                            f"without its request: {self._where(advice.requested)} is blank")
            elif came is not None:
                assert advice.received is not None
                self._add(advice.received, {"type": "advice_received",
                                            "date": came.isoformat(), "advisor": adviser})

    def _adviser(self, advice: Advice) -> tuple[str, dict[str, str]] | None:
        """The adviser's type (and its organisation, where the type must name one)."""
        column = advice.adviser_column or advice.requested
        said = self._text(advice.adviser_column) if advice.adviser_column else advice.adviser
        assert said is not None
        words = {normal(k): v for k, v in self.mapping.advisers.items()}
        try:
            kind = self.advisers.resolve(words.get(normal(said), said))
        except ValueError as exc:
            self._issue(column, "unknown_word", f"{said!r}: {exc} (or a word under "
                        "'advisers' in the mapping)")
            return None
        if not kind.names_organisation:
            return kind.key, {}
        organisation = advice.organisation or (
            self._text(advice.organisation_column) if advice.organisation_column else "")
        if not organisation:
            self._issue(advice.organisation_column or column, "no_organisation",
                        f"advice from {kind.label.lower()} must name its organisation (the "
                        "ICB or trust, or who it is): give 'organisation' or "
                        "'organisation_column' for this adviser in the mapping")
            return None
        return kind.key, {"organisation": organisation}

    def _process(self, dates: Mapping[str, dt.date]) -> str:
        if self.mapping.process != "auto":
            return self.mapping.process
        return "review" if any(kind in dates for kind in _PLAN_FACTS) else "assessment"

    def _transfer(self, process: str) -> None:
        name = self.mapping.columns.year_group
        if name is None or process != "review" or not self._text(name):
            return
        said = self._text(name)
        year = said.upper().removeprefix("YEAR").removeprefix("NCY").removeprefix("Y").strip()
        if year not in TRANSFERS:
            return
        start, end = TRANSFERS[year]
        on = next_september(self.as_of)
        self._add(name, {"type": "phase_transfer_expected", "from": start, "to": end,
                         "transfer_date": on.isoformat()})
        self._issue(name, "inferred_transfer", f"year group {said!r}: a transfer from "
                    f"{start.replace('_', ' ')} to {end.replace('_', ' ')} on {on:%d/%m/%Y}")

    def _checked(self) -> tuple[PlannedEvent, ...]:
        events, issues = checked(self.events, self.row.number)
        self.issues += issues
        return events


def checked(
    events: list[PlannedEvent], row: int
) -> tuple[tuple[PlannedEvent, ...], list[Issue]]:
    """A case's planned events through the engine, in date order, and what it refused,
    each problem at the column (or element) its event came from."""
    issues: list[Issue] = []
    parsed: list[tuple[int, CaseEvent]] = []
    for index, planned in enumerate(events):
        try:
            parsed.append((index, parse_event(planned.data)))
        except InvalidEvent as exc:
            issues.append(Issue(row, planned.column, "invalid_event", exc.reason))
    parsed.sort(key=sort_key)
    ordered = tuple(events[i] for i, _ in parsed)
    try:
        check_history([event for _, event in parsed])
    except EngineError as exc:
        where = ordered[exc.index].column if exc.index is not None else None
        kind = "not_possible" if isinstance(exc, IllegalTransition) else "out_of_order"
        issues.append(Issue(row, where, kind, exc.reason))
    return ordered, issues


def _inferred_outcome(kind: str, dates: Mapping[str, dt.date]) -> str | None:
    if kind == "decision_to_assess_notified" and any(k in dates for k in _AFTER_ASSESS):
        return "assess"
    return None
