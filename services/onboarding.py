"""Taking on a council's caseload: its own workbook (through a mapping file) or its last
SEN2 return, checked whole and reported on before anything is written, then imported
all or nothing by the store's re-runnable import (``db.transfer``).

A dry run reads the file, plans every row's events (``intake``), checks them against the
store as it stands (unknown caseworkers, cases already on file, what is new) and returns
the report; nothing is written. A real run produces the same report and writes only when
no issue blocks, in one transaction; re-running a corrected file adds only what is new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from db.caseload_summary import deadlines_of
from db.import_format import IncomingCase, IncomingEvent
from db.progress import Progress, silent
from db.session import unit_of_work
from db.transfer import ImportReport, check_cases, import_cases
from intake.issues import Issue, PlannedCase
from intake.mapping import M, MappingError, Sen2Mapping, load_mapping, load_sen2_mapping
from intake.report import QualityReport, build_report
from intake.rows import plan_rows
from intake.sen2 import Sen2Error, read_sen2
from intake.sheet import SheetError, read_table
from intake.summary import SUMMARY_KEYS, CaseloadSummary, summarise
from intake.template import write_template
from intake.workbook import write_report
from services import door
from services.advisers import vocabulary_for
from services.errors import InvalidInput, translated

__all__ = ["CaseloadSummary", "Onboarded", "QualityReport", "import_caseload", "import_sen2",
           "save_report", "starter_files"]


@dataclass(frozen=True)
class Onboarded:
    report: QualityReport
    written: bool  # False: a dry run, or refused because an issue blocks
    counts: ImportReport  # what was written, or what would be
    summary: CaseloadSummary | None  # the imported caseload (after a real run only)


def import_caseload(
    engine: Engine,
    path: Path,
    mapping_path: Path,
    *,
    actor: str,
    as_of: dt.date,
    dry_run: bool,
    history: bool = False,
    sheet: str | None = None,
    adviser_types: Path | None = None,
    progress: Progress = silent,
) -> Onboarded:
    """Import a council's caseload workbook or CSV through its mapping file; advisers are
    named by the closed list plus the authority's own types (``adviser_types``).

    Raises:
        InvalidInput: no such file, a mapping that cannot be used, a sheet or header
            that is not there; ImportRefused: the store changed between check and write.
    """
    mapping = _read_mapping(mapping_path, load_mapping)
    _exists(path)
    try:
        table = read_table(path, mapping.wanted_columns(), reference=mapping.columns.reference,
                           sheet=sheet, default_sheet=mapping.sheet)
    except SheetError as exc:
        raise InvalidInput(str(exc), field="file") from None
    advisers = vocabulary_for(mapping.local_authority, adviser_types)
    cases = plan_rows(table, mapping, as_of=as_of, history=history, advisers=advisers)
    return _bring_in(engine, table.source, "row", cases, (), la=mapping.local_authority,
                     actor=actor, as_of=as_of, dry_run=dry_run, progress=progress)


def import_sen2(
    engine: Engine,
    path: Path,
    *,
    actor: str,
    as_of: dt.date,
    dry_run: bool,
    caseworker: str | None = None,
    la_code: str | None = None,
    mapping_path: Path | None = None,
    progress: Progress = silent,
) -> Onboarded:
    """Build the opening caseload from a person-level SEN2 XML return.

    ``caseworker`` (else the mapping's) receives every new case; ``la_code`` (else the
    mapping's, else the return's own ``LEA`` when it is an ONS code) is the authority.

    Raises:
        InvalidInput: no such file, not a SEN2 return, no caseworker or authority given.
    """
    settings = Sen2Mapping() if mapping_path is None else \
        _read_mapping(mapping_path, load_sen2_mapping)
    _exists(path)
    worker = caseworker or settings.caseworker
    if worker is None:
        raise InvalidInput("a SEN2 return names no caseworkers: give --caseworker (or "
                           "'caseworker' in the mapping)", field="caseworker")
    try:
        return_ = read_sen2(path.read_bytes(), as_of=as_of, caseworker=worker,
                            prefix=settings.reference_prefix)
    except Sen2Error as exc:
        raise InvalidInput(f"{path.name}: {exc}", field="file") from None
    la = la_code or settings.local_authority or return_.lea_code
    if la is None:
        raise InvalidInput(f"{path.name} gives the authority as {return_.lea!r}, not an ONS "
                           "code: give --la (e.g. E10000028)", field="la")
    return _bring_in(engine, path.name, "person", return_.cases, return_.issues, la=la,
                     actor=actor, as_of=as_of, dry_run=dry_run, progress=progress)


def starter_files(folder: Path) -> tuple[Path, Path]:
    """Write the starter ``mapping.yaml`` and ``example.xlsx`` into ``folder``."""
    try:
        return write_template(folder)
    except OSError as exc:
        raise InvalidInput(f"cannot write the template into {folder}: {exc.strerror}",
                           field="template") from None


def save_report(report: QualityReport, path: Path) -> None:
    """Write the data-quality report as an xlsx workbook a data officer can work through."""
    try:
        write_report(report, path)
    except OSError as exc:
        raise InvalidInput(f"cannot write the report to {path}: {exc.strerror}",
                           field="report") from None


def _bring_in(
    engine: Engine,
    source: str,
    unit: str,
    cases: Sequence[PlannedCase],
    file_issues: Sequence[Issue],
    *,
    la: str,
    actor: str,
    as_of: dt.date,
    dry_run: bool,
    progress: Progress,
) -> Onboarded:
    door.name(actor, "user", door.USERNAME_MAX)
    incoming, places = _incoming([c for c in cases if c.reference and not c.blocked], la)
    incoming, at_the_door = door.imported_cases(incoming)
    judge = door.ImportJudge(as_of)
    with translated(), unit_of_work(engine) as session:
        check = check_cases(session, incoming, progress=progress, judge=judge)
    refused = []
    for problem in [*at_the_door, *check.problems]:
        row, column = places.get(problem.where, (None, None))
        refused.append(Issue(row, column, "refused_by_store", problem.reason))
    report = build_report(source, unit, cases, [*file_issues, *refused])
    if dry_run or report.blocking:
        return Onboarded(report, written=False, counts=check.would, summary=None)
    references = [case.reference for case in incoming]
    with translated(), unit_of_work(engine, write=True) as session:
        done = import_cases(session, incoming, actor=actor, source=source, progress=progress,
                            judge=judge)
        summary = summarise((d for _, d in deadlines_of(session, references, SUMMARY_KEYS)),
                            as_of)
    return Onboarded(report, written=True, counts=done, summary=summary)


def _incoming(
    cases: Sequence[PlannedCase], la: str
) -> tuple[list[IncomingCase], dict[str, tuple[int, str | None]]]:
    """The store's import cases, and where each ``Problem.where`` points in the file."""
    places: dict[str, tuple[int, str | None]] = {}
    incoming = []
    for case in cases:
        where = f"row {case.row}"
        places[where] = (case.row, None)
        events = []
        for event in case.events:
            at = f"{where}, column {event.column}" if event.column else where
            places[at] = (case.row, event.column)
            events.append(IncomingEvent(at, dict(event.data)))
        incoming.append(IncomingCase(case.reference, where, la=la, process=case.process,
                                     caseworker=case.caseworker, events=events))
    return incoming, places


def _read_mapping(path: Path, loader: Callable[[str, str], M]) -> M:
    _exists(path)
    try:
        return loader(_text(path), path.name)
    except MappingError as exc:
        raise InvalidInput(str(exc), field="mapping") from None


def _exists(path: Path) -> None:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="file")


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                           field="mapping") from None
