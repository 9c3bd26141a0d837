"""Use cases: record and show a child's protected person record.

Only staff of the case's own authority may see or change it: anyone else is told the
case does not exist (``NotFound``), as for any other authority's case. A change is
audited by field name; the values never leave the store except to the person asking and
to the SEN2 return (``services.sen2``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import directory
from db.errors import NotFound as UnknownStaff
from db.person import get_record, save_record
from db.schema import Case, Caseworker, LocalAuthority
from db.session import unit_of_work
from engine.person import PersonRecord, updated_record
from services.errors import Forbidden, InvalidInput, NotFound, translated


@dataclass(frozen=True)
class PersonView:
    reference: str
    authority: str
    record: PersonRecord | None


def _staff(session: Session, viewer: str) -> Caseworker:
    try:
        return directory.get_caseworker(session, viewer)
    except UnknownStaff:
        raise Forbidden(f"{viewer!r} is not a member of staff: only an authority's own "
                        "staff may see its person records") from None


def staff_of(session: Session, la_code: str, viewer: str) -> LocalAuthority:
    """The authority, if ``viewer`` works for it.

    Raises:
        Forbidden: ``viewer`` is not staff, or works for another authority.
        NotFound: no such authority (as ``db.errors.NotFound``, inside ``translated``).
    """
    worker = _staff(session, viewer)
    la = directory.get_la(session, la_code)
    if worker.team.la_id != la.id:
        raise Forbidden(f"{viewer!r} does not work for {la_code}: only its own staff may "
                        "export its person records")
    return la


def _staff_case(session: Session, reference: str, viewer: str) -> Case:
    worker = _staff(session, viewer)
    case = directory.get_case(session, reference)
    if case.la_id != worker.team.la_id:
        raise NotFound(f"unknown case {reference!r}")
    return case


def show_person(engine: Engine, reference: str, *, viewer: str) -> PersonView:
    """The record of case ``reference``, for ``viewer`` (staff of its authority only).

    Raises:
        Forbidden: ``viewer`` is not a member of staff.
        NotFound: no such case, or another authority's.
    """
    with translated(), unit_of_work(engine) as session:
        case = _staff_case(session, reference, viewer)
        return PersonView(case.reference, case.local_authority.code, get_record(session, case))


def _set(session: Session, reference: str, changes: Mapping[str, Any], actor: str) -> PersonView:
    if not changes:
        raise InvalidInput("give at least one --field name=value")
    case = _staff_case(session, reference, actor)
    record = updated_record(get_record(session, case), changes)
    save_record(session, case, record, actor=actor, fields=list(changes))
    return PersonView(case.reference, case.local_authority.code, record)


def set_person(
    engine: Engine, reference: str, changes: Mapping[str, Any], *, actor: str
) -> PersonView:
    """Apply ``changes`` to the case's record (an empty value clears a field).

    Raises:
        InvalidInput: no changes, an unknown field or a value failing its check (named,
            never echoed).
        NotFound, Forbidden: as ``show_person``.
    """
    with translated(), unit_of_work(engine, write=True) as session:
        return _set(session, reference, changes, actor)


def set_people(engine: Engine, changes: Mapping[str, tuple[str, Mapping[str, Any]]]) -> int:
    """Many records at once, all or nothing: ``{reference: (actor, changes)}`` (the demo's
    invented records). Returns how many were written."""
    with translated(), unit_of_work(engine, write=True) as session:
        for reference, (actor, fields) in changes.items():
            _set(session, reference, fields, actor)
    return len(changes)
