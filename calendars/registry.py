"""The shipped LA calendar files (``calendars/data/<la-code>.yaml``) and the loader."""

from __future__ import annotations

from functools import cache
from importlib import resources

from calendars.england import EnglandCalendar
from calendars.errors import CalendarError
from calendars.la_data import CalendarDataError, LaCalendarData, parse_calendar_data


class UnknownLocalAuthority(CalendarError, KeyError):
    """No calendar file ships for the LA code asked for; ``known`` lists those that do."""

    def __init__(self, la_code: str, known: tuple[str, ...]) -> None:
        self.la_code = la_code
        self.known = known
        self.message = (
            f"no calendar data for local authority {la_code!r}; "
            f"known: {', '.join(known) or '(none)'} (use None for England without closures)"
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@cache
def _shipped() -> dict[str, LaCalendarData]:
    found: dict[str, LaCalendarData] = {}
    for entry in sorted(resources.files("calendars").joinpath("data").iterdir(), key=str):
        if not entry.name.endswith(".yaml"):
            continue
        data = parse_calendar_data(entry.read_text(encoding="utf-8"), source=entry.name)
        if entry.name != f"{data.la_code}.yaml":
            raise CalendarDataError(
                entry.name, [f"la_code: {data.la_code} does not match the file name"]
            )
        found[data.la_code] = data
    return found


def known_local_authorities() -> dict[str, str]:
    """The LAs with shipped calendar data: ONS code to name, sorted by code."""
    return {code: data.la_name for code, data in _shipped().items()}


def load_calendar(la_code: str | None = None) -> EnglandCalendar:
    """The calendar for ``la_code``: England & Wales bank holidays plus that LA's data.

    Args:
        la_code: The LA's ONS code (e.g. ``E10000028``); ``None`` gives plain England
            (bank holidays only, no school closures).

    Returns:
        The calendar (shared between callers: it is never modified after loading).

    Raises:
        UnknownLocalAuthority: No data ships for ``la_code``; the error lists the known codes.
        CalendarDataError: A shipped data file is invalid.
    """
    code = None if la_code is None else la_code.strip().upper()
    if code is not None and code not in _shipped():
        raise UnknownLocalAuthority(la_code or "", tuple(_shipped()))
    return _calendar(code)


@cache
def _calendar(code: str | None) -> EnglandCalendar:
    return EnglandCalendar(None if code is None else _shipped()[code])
