"""Looking after the case store: set it up, bring case histories in and out, re-derive
every deadline, and load an authority's calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from db.errors import UnreadableFile
from db.import_format import read_import_file
from db.migrate import upgrade_to_head
from db.progress import Progress, silent
from db.projections import CalendarLoad, Reprojection, fill_missing_stages, load_calendar_data
from db.projections import rebuild_all as rebuild_all_projections
from db.roles import RoleGrant, grant_application_role
from db.session import describe, unit_of_work
from db.transfer import ImportReport, export_cases, import_cases
from services import door
from services.errors import InvalidInput, translated

__all__ = ["CalendarLoad", "ImportReport", "Initialised", "Reprojection", "export",
           "import_file", "init_database", "load_calendar", "rebuild_projections"]



@dataclass(frozen=True)
class Initialised:
    where: str  # the database, password hidden
    before: str | None
    after: str | None
    stages_filled: int
    grant: RoleGrant | None = None  # PostgreSQL with two roles: the application's


def init_database(engine: Engine, *, app_url: str | None = None) -> Initialised:
    """Create or upgrade the schema to the newest revision, then fill any projection a
    new revision added (the stage of cases recorded before it).

    ``engine`` connects as the schema's owner (``EHC_MIGRATION_DATABASE_URL``); when
    ``app_url`` names another PostgreSQL role, that role is created if missing and given
    exactly the application's privileges (``db.roles``: only SELECT/INSERT on the log).

    Raises:
        Refused: the application role could rewrite the log (a superuser, the owner...).
    """
    with translated():
        before, after = upgrade_to_head(engine)
        with unit_of_work(engine, write=True) as session:
            filled = fill_missing_stages(session)
        grant = grant_application_role(engine, app_url) if app_url else None
    return Initialised(describe(engine.url), before, after, filled, grant)


def import_file(
    engine: Engine, path: Path, *, actor: str, as_of: dt.date, progress: Progress = silent
) -> ImportReport:
    """Import a CSV / JSON / JSON Lines file, all or nothing; re-running adds nothing.

    Events are judged against ``as_of`` (today in London) as typed ones are; who recorded
    them elsewhere (an ``ehc export``'s ``recorded_by``/``recorded_at``) is kept as
    ``imported_recorded_by``/``imported_recorded_at``: ``actor`` is the recorder.

    Raises:
        InvalidInput: no such file, not UTF-8 text, or unreadable (a cell or a nesting
        too big to read); ImportRefused: every problem.
    """
    door.name(actor, "user", door.USERNAME_MAX)
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="file")
    try:
        cases, problems = read_import_file(path)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                           field="file") from None
    except UnreadableFile as exc:
        raise InvalidInput(f"{path.name}: {exc}", field="file") from None
    cases, refused = door.imported_cases(cases)
    with translated(), unit_of_work(engine, write=True) as session:
        return import_cases(session, cases, actor=actor, problems=problems + refused,
                            source=path.name, progress=progress,
                            judge=door.ImportJudge(as_of))


def export(
    engine: Engine, reference: str | None = None, *, progress: Progress = silent
) -> dict[str, Any]:
    """Case histories as the re-importable JSON document ``ehc import`` reads."""
    with translated(), unit_of_work(engine) as session:
        return export_cases(session, reference, progress=progress)


def rebuild_projections(
    engine: Engine, *, actor: str, progress: Progress = silent
) -> Reprojection:
    """Re-derive every case's deadlines from its log (audited); cases the rules now
    refuse keep their old rows and are listed in ``failed``."""
    with translated(), unit_of_work(engine, write=True) as session:
        return rebuild_all_projections(session, actor=actor, progress=progress)


def load_calendar(
    engine: Engine, path: Path, *, actor: str, progress: Progress = silent
) -> CalendarLoad:
    """Store an authority's calendar file and re-project its cases (every moved date
    audited)."""
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="file")
    text = path.read_text(encoding="utf-8")
    with translated(), unit_of_work(engine, write=True) as session:
        return load_calendar_data(session, text, actor=actor, source=path.name,
                                  progress=progress)
