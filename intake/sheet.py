"""A worksheet (xlsx) or a CSV file as one header and numbered data rows.

Councils' workbooks rarely start at A1: a title banner, a merged group header over
several columns ("EP advice" over "requested" and "received"), then the real header.
The header row is the one, among the first ``HEADER_SEARCH`` rows, that holds the most of
the columns the mapping names; a column is found by its own heading or by its merged
group heading and its own ("EP advice requested"). Headings and cells are compared with
their spaces trimmed and collapsed, case ignored. Merged cells anywhere count as their
top-left value in every cell they cover; wholly blank rows are skipped. Row numbers are
the sheet's own (what the data officer sees in Excel), or the CSV file's lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

HEADER_SEARCH = 30
Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | None


@dataclass(frozen=True)
class Column:
    letter: str  # "F": as Excel shows it (a CSV opened in Excel too)
    heading: str  # as the sheet writes it (group heading included, if that is how it matched)

    def __str__(self) -> str:
        return f"{self.letter} ({self.heading})"


@dataclass(frozen=True)
class Row:
    number: int
    cells: tuple[Cell, ...]  # by position, as ``Table.columns``


@dataclass(frozen=True)
class Table:
    source: str  # "caseload.xlsx, sheet Caseload"
    header_row: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    found: dict[str, int]  # the mapping's column name (normalised) -> position

    def position(self, name: str) -> int:
        return self.found[normal(name)]


class SheetError(ValueError):
    """A file or sheet that cannot be read as a table: ``str()`` says why."""


def normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_table(path: Path, wanted: Sequence[str], *, reference: str,
               sheet: str | None = None, default_sheet: str | None = None) -> Table:
    """The table in ``path`` (``.xlsx``/``.xlsm``, else CSV) holding the ``wanted`` columns.

    ``sheet`` (asked for) or else ``default_sheet`` (the mapping's) names the sheet of a
    workbook; a CSV has none, so asking for one there is an error.

    Raises:
        SheetError: not a workbook, no such sheet, no header row with ``reference``, or
            a wanted column that the header does not have.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        grid, label = _workbook_grid(path, sheet or default_sheet)
    else:
        if sheet is not None:
            raise SheetError(f"{path.name} is a CSV file: it has no sheets (leave out --sheet)")
        grid, label = _csv_grid(path), path.name
    return _table(grid, wanted, reference, label)


def _workbook_grid(path: Path, sheet: str | None) -> tuple[list[tuple[int, list[Cell]]], str]:
    try:
        book = load_workbook(path, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"{path.name} cannot be read as an Excel workbook ({exc})") from None
    names = book.sheetnames
    if sheet is None:
        chosen = names[0]
    else:
        matches = [n for n in names if normal(n) == normal(sheet)]
        if not matches:
            raise SheetError(f"{path.name} has no sheet {sheet!r} (its sheets: "
                             f"{', '.join(names)})")
        chosen = matches[0]
    worksheet = book[chosen]
    assert isinstance(worksheet, Worksheet)
    grid = [(number, [_plain(v) for v in values]) for number, values
            in enumerate(worksheet.iter_rows(values_only=True), start=1)]
    _fill_merged(worksheet, grid)
    return grid, f"{path.name}, sheet {chosen}"


def _plain(value: object) -> Cell:
    """A cell as text, a number, a date or blank (rich text and formulas as their text)."""
    if value is None or isinstance(value, str | int | float | bool | dt.date | dt.time):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _fill_merged(worksheet: Worksheet, grid: list[tuple[int, list[Cell]]]) -> None:
    """Every cell a merged range covers takes the range's top-left value."""
    for merged in worksheet.merged_cells.ranges:
        top = grid[merged.min_row - 1][1]
        value = top[merged.min_col - 1] if merged.min_col - 1 < len(top) else None
        for r in range(merged.min_row, merged.max_row + 1):
            cells = grid[r - 1][1]
            cells.extend([None] * (merged.max_col - len(cells)))
            for c in range(merged.min_col, merged.max_col + 1):
                cells[c - 1] = value


def _csv_grid(path: Path) -> list[tuple[int, list[Cell]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}): "
                         "save it from Excel as 'CSV UTF-8', or give the .xlsx") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    grid: list[tuple[int, list[Cell]]] = []
    for cells in reader:
        grid.append((reader.line_num, list(cells)))
    return grid


def _heading(value: Cell) -> str:
    return "" if value is None else " ".join(str(value).split())


def _candidates(grid: list[tuple[int, list[Cell]]], at: int) -> list[list[str]]:
    """Per column of row ``at``: its heading, and its group heading above with it."""
    own = [_heading(v) for v in grid[at][1]]
    above = [_heading(v) for v in grid[at - 1][1]] if at > 0 else []
    out = []
    for index, heading in enumerate(own):
        names = [heading] if heading else []
        group = above[index] if index < len(above) else ""
        if group and heading and normal(group) != normal(heading):
            names.append(f"{group} {heading}")
        out.append(names)
    return out


def _table(grid: list[tuple[int, list[Cell]]], wanted: Sequence[str], reference: str,
           label: str) -> Table:
    want = {normal(w): w for w in wanted}
    best: tuple[int, int, dict[str, int], list[list[str]]] | None = None
    for at in range(min(HEADER_SEARCH, len(grid))):
        candidates = _candidates(grid, at)
        found = {normal(n): i for i, names in enumerate(candidates) for n in names
                 if normal(n) in want}
        if normal(reference) in found and (best is None or len(found) > best[1]):
            best = (at, len(found), found, candidates)
    if best is None:
        raise SheetError(f"{label}: no row among the first {HEADER_SEARCH} has the reference "
                         f"column {reference!r}")
    at, _, found, candidates = best
    missing = [w for key, w in want.items() if key not in found]
    if missing:
        have = ", ".join(names[-1] for names in candidates if names) or "none"
        raise SheetError(f"{label}: the mapping names column(s) {', '.join(map(repr, missing))}"
                         f", which the header (row {grid[at][0]}) does not have; its "
                         f"columns: {have}")
    columns = tuple(
        Column(get_column_letter(i + 1), next((n for n in names if normal(n) in want), names[-1])
               if names else "")
        for i, names in enumerate(candidates)
    )
    rows = tuple(
        Row(number, tuple(_padded(cells, len(columns))))
        for number, cells in grid[at + 1:]
        if any(not _blank(c) for c in cells)
    )
    return Table(label, grid[at][0], columns, rows, found)


def _padded(cells: list[Cell], width: int) -> list[Cell]:
    return (cells + [None] * width)[:max(width, len(cells))]


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
