"""Workbooks written for people: the data-quality report a data officer works through,
and a caseload sheet laid out the way councils lay theirs (the template's example).

The report has three sheets: ``Issues`` (one line per issue: row, column, severity,
kind, what to do; filterable), ``Rows`` (each case: status, the events it would create,
and its issues in three columns) and ``Totals`` (by kind).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from intake.issues import Issue, PlannedCase
from intake.report import QualityReport
from intake.sheet import Cell

_BOLD = Font(bold=True)
_FILL = {"impossible": "F4CCCC", "unreadable": "FCE5CD", "missing": "FFF2CC",
         "inferred": "D9EAD3"}


def write_report(report: QualityReport, path: Path) -> None:
    """Write ``report`` as an xlsx workbook at ``path`` (replacing any file there)."""
    book = Workbook()
    issues = book.active
    assert isinstance(issues, Worksheet)
    issues.title = "Issues"
    _header(issues, [report.unit.capitalize(), "Case", "Column", "Severity", "Kind", "What"],
            [8, 18, 34, 12, 20, 100])
    references = {case.row: case.reference for case in report.cases}
    for issue in report.issues:
        issues.append([issue.row, references.get(issue.row or 0, ""), issue.column or "",
                       issue.severity, issue.kind, issue.message])
        issues.cell(issues.max_row, 4).fill = _fill(issue.severity)
    rows = book.create_sheet("Rows")
    _header(rows, [report.unit.capitalize(), "Case", "Process", "Caseworker", "Team", "Status",
                   "Events it would create", "Impossible or unreadable", "Missing", "Inferred"],
            [8, 18, 12, 16, 12, 14, 70, 60, 50, 50])
    for case in report.cases:
        rows.append(_case_line(case, report.of_row(case.row)))
        for cell in rows[rows.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    totals = book.create_sheet("Totals")
    _header(totals, ["Severity", "Kind", "What", "Count"], [12, 20, 60, 8])
    for total in report.totals():
        totals.append([total.severity, total.kind, total.title, total.count])
        totals.cell(totals.max_row, 1).fill = _fill(total.severity)
    totals.append([])
    totals.append(["", "", f"{report.unit}s read", len(report.cases)])
    totals.append(["", "", "events they would create", report.events])
    book.save(path)


def _case_line(case: PlannedCase, issues: Sequence[Issue]) -> list[Cell]:
    def text(*severities: str) -> str:
        return "\n".join(f"{i.column or ''}: {i.message}".lstrip(": ")
                         for i in issues if i.severity in severities)

    blocked = any(i.blocking for i in issues)
    events = "\n".join(_event_text(e.data) for e in case.events)
    return [case.row, case.reference, case.process, case.caseworker or "", case.team or "",
            "refused" if blocked else "would import", events,
            text("impossible", "unreadable"), text("missing"), text("inferred")]


def _event_text(data: object) -> str:
    assert isinstance(data, dict)
    details = ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("type", "date"))
    when = data.get("date", "")
    return f"{when} {data['type']}" + (f" ({details})" if details else "")


def _header(sheet: Worksheet, names: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(names))
    for index, width in enumerate(widths):
        sheet.cell(1, index + 1).font = _BOLD
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}1"


def _fill(severity: str) -> PatternFill:
    return PatternFill("solid", fgColor=_FILL[severity])


def write_caseload(path: Path, *, title: str, groups: Sequence[tuple[str, int, int]],
                   headings: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """A caseload sheet as councils keep them: a merged title row, a blank row, merged
    group headings (``(text, first column, last column)``, 1-based) over the headings,
    then the rows (dates given as ``datetime.date`` are Excel dates shown dd/mm/yyyy)."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Caseload"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([])
    for text, first, last in groups:
        sheet.cell(3, first, text).font = _BOLD
        sheet.merge_cells(start_row=3, start_column=first, end_row=3, end_column=last)
    sheet.append(list(headings))
    for index in range(len(headings)):
        sheet.cell(4, index + 1).font = _BOLD
        width = max(12, len(headings[index]) + 2)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for values in rows:
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date | dt.datetime):
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "B5"
    book.save(path)
