"""Excel workbooks (XlsxWriter): one sheet per table, real numbers and real dates.

A manager filters, sorts and charts these in Excel, so numbers are numbers (not "61.5%"
text), dates are Excel dates with a date format, and empty figures are empty cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from engine.measures import GROUPINGS, Grouping
from reports.tables import BREACH_COLUMNS, COLUMNS, breach_records, records

if TYPE_CHECKING:
    from services.reporting import TimelinessReport

SHEET_NAMES: Mapping[Grouping, str] = {by: f"By {by}" for by in GROUPINGS} | {"total": "Summary"}


Sheet = tuple[Sequence[str], Sequence[Mapping[str, Any]]]  # (columns, rows)


def write_sheets(path: Path, sheets: Mapping[str, Sheet]) -> None:
    """Write ``{sheet name: (columns, rows)}`` to a new workbook at ``path``."""
    book = xlsxwriter.Workbook(str(path))
    header = book.add_format({"bold": True, "bg_color": "#DDDDDD"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, (columns, rows) in sheets.items():
        sheet = book.add_worksheet(name[:31])
        for col, column in enumerate(columns):
            sheet.write_string(0, col, column, header)
            sheet.set_column(col, col, max(12, min(len(column) + 2, 60)))
        for r, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                _write(sheet, r, col, row.get(column), date_format)
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    book.close()


def _write(sheet: Any, row: int, col: int, value: Any, date_format: Any) -> None:
    if value is None:
        return
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def write_timeliness(report: TimelinessReport, path: Path) -> None:
    """Summary, one sheet per breakdown, the 20-week breaches, open-case ageing, measures."""
    sheets: dict[str, Sheet] = {
        SHEET_NAMES[by]: (COLUMNS, records(report, by)) for by in GROUPINGS
    }
    sheets["20-week breaches"] = (BREACH_COLUMNS, breach_records(report))
    sheets["Open assessments"] = (
        ("weeks_since_request", "open_clocks", "snapshot_day"),
        [{"weeks_since_request": week, "open_clocks": count, "snapshot_day": report.snapshot_day}
         for week, count in report.ageing.items()],
    )
    sheets["Measures"] = (
        ("key", "label", "basis", "numerator", "denominator", "period_date", "exceptions",
         "statistic"),
        [{"key": m.key, "label": m.label, "basis": m.basis, "numerator": m.numerator,
          "denominator": m.denominator, "period_date": m.period_date,
          "exceptions": m.exceptions, "statistic": m.statistic} for m in report.measures],
    )
    write_sheets(path, sheets)
