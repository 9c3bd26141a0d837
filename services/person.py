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

from sqlalchemy.orm import Session

from db import directory
from db.errors import NotFound as UnknownStaff
from db.person import get_record, save_record
from db.schema import Case, Caseworker, LocalAuthority
from engine.errors import InvalidEvent
from engine.person import PersonRecord, updated_record
from services.errors import Forbidden, InvalidInput, NotFound
from services.store_errors import store_errors


@dataclass(frozen=True)
class PersonView:
    reference: str
    authority: str
    record: PersonRecord | None


def _staff(session: Session, viewer: str) -> Caseworker:
    with store_errors():
        try:
            return directory.get_caseworker(session, viewer)
        except UnknownStaff:
            raise Forbidden(f"{viewer!r} is not a member of staff: only an authority's own "
                            "staff may see its person records") from None


def staff_of(session: Session, la_code: str, viewer: str) -> LocalAuthority:
    """The authority, if ``viewer`` works for it.

    Raises:
        Forbidden: ``viewer`` is not staff, or works for another authority.
        NotFound: no such authority.
    """
    worker = _staff(session, viewer)
    with store_errors():
        la = directory.get_la(session, la_code)
    if worker.team.la_id != la.id:
        raise Forbidden(f"{viewer!r} does not work for {la_code}: only its own staff may "
                        "export its person records")
    return la


def staff_case(session: Session, reference: str, viewer: str) -> Case:
    """The case, if ``viewer`` is a caseworker of its authority.

    Raises:
        Forbidden: ``viewer`` is not a member of staff at all.
        NotFound: no such case, or another authority's.
    """
    worker = _staff(session, viewer)
    with store_errors():
        case = directory.get_case(session, reference)
    if case.la_id != worker.team.la_id:
        raise NotFound(f"unknown case {reference!r}")
    return case


def show_person(session: Session, reference: str, *, viewer: str) -> PersonView:
    case = staff_case(session, reference, viewer)
    return PersonView(case.reference, case.local_authority.code, get_record(session, case))


def set_person(
    session: Session, reference: str, changes: Mapping[str, Any], *, actor: str
) -> PersonView:
    """Apply ``changes`` to the case's record (a write unit of work).

    Raises:
        InvalidInput: no changes, an unknown field or a value failing its check.
        NotFound, Forbidden: as ``staff_case``.
    """
    if not changes:
        raise InvalidInput("give at least one --field name=value")
    case = staff_case(session, reference, actor)
    try:
        record = updated_record(get_record(session, case), changes)
    except InvalidEvent as exc:
        raise InvalidInput(exc.reason) from None
    save_record(session, case, record, actor=actor, fields=list(changes))
    return PersonView(case.reference, case.local_authority.code, record)
