"""A workbook cell as a legal date, whichever way the council's sheet holds it.

Excel keeps a date as a serial number (days since 30 December 1899) shown in a date
format; openpyxl hands those over as dates. A date typed into a cell formatted as
General or Number arrives as the bare serial (46223); a date typed as text ("20/07/2026",
"20 July 2026 ", "20th July 2026") is read with the mapping's formats, UK day-first by
default. Spaces around the text are ignored; a time of day is dropped.
"""

from __future__ import annotations

import datetime as dt
import re

from intake.sheet import Cell

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1 Jan 1900, with Excel's 1900 leap day
# Serials from 1 Jan 2000 to 31 Dec 2099: a bare number outside is not taken for a date.
SERIALS = (36526, 73050)
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)


def read_date(cell: Cell, formats: tuple[str, ...]) -> tuple[dt.date, str | None]:
    """The date in ``cell`` and, when it was read from a number, how (for the report).

    Raises:
        ValueError: the cell holds no date in any accepted form, with what it holds.
    """
    if isinstance(cell, dt.datetime):
        return cell.date(), None
    if isinstance(cell, dt.date):
        return cell, None
    if isinstance(cell, bool) or cell is None or isinstance(cell, dt.time):
        raise ValueError(f"{cell!r} is not a date")
    if isinstance(cell, int | float):
        return _serial(cell), f"Excel serial number {cell:g}"
    text = " ".join(str(cell).split())
    if text.isdigit():
        return _serial(int(text)), f"Excel serial number {text}"
    cleaned = _ORDINAL.sub("", text)
    for pattern in formats:
        try:
            return dt.datetime.strptime(cleaned, pattern).date(), None  # noqa: DTZ007 - a date
        except ValueError:
            continue
    examples = ", ".join(EXAMPLE.strftime(p) for p in formats[:4])
    raise ValueError(f"{text!r} is not a date in any format the mapping accepts "
                     f"(e.g. {examples})")


EXAMPLE = dt.date(2026, 7, 20)


def _serial(number: float) -> dt.date:
    if not SERIALS[0] <= number <= SERIALS[1]:
        raise ValueError(f"the number {number:g} is not a date (an Excel date between 2000 "
                         "and 2099 is a serial number from 36526 to 73050)")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))
