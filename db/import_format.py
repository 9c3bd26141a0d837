"""Reading an import file into case histories, with the place of every row kept for errors.

Three shapes (docs/import-format.md): CSV with one row per event; JSON with one document
per case (a single document, a list, or ``{"cases": [...]}`` as ``ehc export`` writes);
JSON Lines with one case document per line. Nothing here touches the database: the result
is a list of cases plus every problem found in the file itself; a file that cannot be
read on (a CSV cell beyond the csv module's limit, JSON nested past Python's recursion
limit) is ``UnreadableFile``, with its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, TypeAdapter, ValidationError

from db.errors import Problem, UnreadableFile

# ``local_authority`` is the name docs/case-format.md uses; ``la`` is the short one.
CASE_COLUMNS = ("case", "la", "local_authority", "process", "caseworker", "opened_at")
_INSTANT = TypeAdapter(AwareDatetime)
# Who recorded an event in the system a file came from (``ehc export`` writes them as
# ``recorded_by``/``recorded_at``): kept apart, since the importer is the recorder here.
IMPORTED_RECORDER = {"recorded_by": "imported_recorded_by",
                     "recorded_at": "imported_recorded_at"}


@dataclass
class IncomingEvent:
    where: str
    data: dict[str, Any]


@dataclass
class IncomingCase:
    reference: str
    where: str
    la: str | None = None
    process: str | None = None
    caseworker: str | None = None
    opened_at: dt.datetime | None = None
    events: list[IncomingEvent] = field(default_factory=list)


def read_import_file(path: Path) -> tuple[list[IncomingCase], list[Problem]]:
    """Parse ``path`` (format from its suffix, else sniffed) into cases and problems."""
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return read_json_lines(text)
    if suffix == ".json" or (suffix != ".csv" and text.lstrip()[:1] in ("{", "[")):
        return read_json(text)
    return read_csv(text)


def read_csv(text: str) -> tuple[list[IncomingCase], list[Problem]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [name for name in ("case", "type") if name not in header]
    if missing:
        return [], [Problem("line 1", f"missing column(s): {', '.join(missing)} (header: "
                                      f"{', '.join(header) or 'empty'})")]
    cases: dict[str, IncomingCase] = {}
    problems: list[Problem] = []
    for row in _rows(reader):
        where = f"line {reader.line_num}"
        if None in row:
            problems.append(Problem(where, f"{len(row[None])} more cell(s) than the header has"))
            continue
        reference = (row.get("case") or "").strip()
        if not reference:
            problems.append(Problem(where, "no case reference in column 'case'"))
            continue
        case = cases.setdefault(reference, IncomingCase(reference, where))
        try:
            _merge_case_columns(case, row)
            case.events.append(IncomingEvent(where, imported_event(_event_from_row(row))))
        except ValueError as exc:
            problems.append(Problem(where, str(exc)))
    return list(cases.values()), problems


def _rows(reader: csv.DictReader[str]) -> Any:
    try:
        yield from reader
    except csv.Error as exc:
        limit = csv.field_size_limit()
        raise UnreadableFile(f"line {reader.line_num + 1}: a cell longer than {limit:,} "
                             f"characters, or not CSV ({exc})") from None


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise UnreadableFile(f"{where}: JSON nested too deeply to read") from None


def read_json(text: str) -> tuple[list[IncomingCase], list[Problem]]:
    try:
        doc = _loads(text, "the document")
    except json.JSONDecodeError as exc:
        return [], [Problem(f"line {exc.lineno}", f"not valid JSON: {exc.msg}")]
    if isinstance(doc, dict) and "cases" in doc:
        docs = doc["cases"]
    elif isinstance(doc, dict):
        docs = [doc]
    else:
        docs = doc
    if not isinstance(docs, list):
        return [], [Problem("document", "expected a case document, a list, or {\"cases\": [...]}")]
    return _read_documents([(f"case document #{n}", item) for n, item in enumerate(docs, 1)])


def read_json_lines(text: str) -> tuple[list[IncomingCase], list[Problem]]:
    items: list[tuple[str, Any]] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append((f"line {number}", _loads(line, f"line {number}")))
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"line {number}", f"not valid JSON: {exc.msg}"))
    cases, more = _read_documents(items)
    return cases, problems + more


def _read_documents(items: list[tuple[str, Any]]) -> tuple[list[IncomingCase], list[Problem]]:
    cases: dict[str, IncomingCase] = {}
    problems: list[Problem] = []
    for where, doc in items:
        try:
            case = _case_from_document(where, doc)
        except ValueError as exc:
            problems.append(Problem(where, str(exc)))
            continue
        if case.reference in cases:
            first = cases[case.reference].where
            problems.append(Problem(where, f"case {case.reference!r} already given at {first}"))
            continue
        cases[case.reference] = case
    return list(cases.values()), problems


def _case_from_document(where: str, doc: Any) -> IncomingCase:
    if not isinstance(doc, dict):
        raise ValueError(f"a case document must be an object, not {type(doc).__name__}")
    reference = doc.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise ValueError("no case 'reference'")
    events = doc.get("events")
    if not isinstance(events, list):
        raise ValueError(f"case {reference}: 'events' must be a list")
    case = IncomingCase(
        reference.strip(), where, la=_la(doc), process=_text(doc, "process"),
        caseworker=_text(doc, "caseworker"), opened_at=_instant(doc.get("opened_at")),
    )
    for n, item in enumerate(events, 1):
        if not isinstance(item, dict):
            raise ValueError(f"case {reference}: event #{n} is not an object")
        case.events.append(IncomingEvent(f"{where} ({reference}) event #{n}",
                                         imported_event(item)))
    return case


def imported_event(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with who recorded it elsewhere kept apart from who records it now (an
    earlier generation's ``imported_recorded_*`` wins: it names the first recorder)."""
    kept = {key: value for key, value in data.items() if key not in IMPORTED_RECORDER}
    for key, apart in IMPORTED_RECORDER.items():
        if key in data:
            kept.setdefault(apart, data[key])
    return kept


def _merge_case_columns(case: IncomingCase, row: dict[str, Any]) -> None:
    """Case columns may be given on any row, but must agree wherever they are given."""
    texts = {k: v.strip() for k, v in row.items() if k in CASE_COLUMNS and v and v.strip()}
    for column, attribute in (("la", "la"), ("process", "process"), ("caseworker", "caseworker")):
        value = _la(texts) if column == "la" else texts.get(column)
        if value is None:
            continue
        current = getattr(case, attribute)
        if current is not None and current != value:
            raise ValueError(f"{column} {value!r} differs from {current!r} given earlier for "
                             f"case {case.reference}")
        setattr(case, attribute, value)
    opened = _instant((row.get("opened_at") or "").strip() or None)
    if opened is not None:
        case.opened_at = opened


def _event_from_row(row: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, raw in row.items():
        value = (raw or "").strip()
        if column in CASE_COLUMNS or not value:
            continue
        if column == "fields":
            extra = _json_cell(column, value)
            if not isinstance(extra, dict):
                raise ValueError("column 'fields' must hold a JSON object")
            data.update(extra)
        else:
            data[column] = _json_cell(column, value) if value[0] in "[{" else value
    return data


def _json_cell(column: str, value: str) -> Any:
    try:
        return _loads(value, f"column {column!r}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"column {column!r}: not valid JSON ({exc.msg})") from None


def _la(doc: dict[str, Any]) -> str | None:
    short, long = _text(doc, "la"), _text(doc, "local_authority")
    if short and long and short != long:
        raise ValueError(f"la {short!r} and local_authority {long!r} disagree")
    return short or long


def _text(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be text")
    return value.strip() or None


def _instant(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return _INSTANT.validate_python(value)
    except ValidationError:
        raise ValueError(
            f"opened_at {value!r} is not a date-time with a UTC offset "
            "(e.g. 2025-01-06T09:30:00Z)"
        ) from None
