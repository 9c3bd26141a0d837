"""The people cases belong to: authorities, teams, caseworkers, and a leaver's caseload.

Names and addresses go into email headers and the directory's columns: each is one line
of printable text within its column's size (``services.door``), on either backend."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from db import directory
from db.directory import StaffLine
from db.session import unit_of_work
from services import door
from services.errors import translated

__all__ = ["Leaver", "StaffLine", "add_caseworker", "add_la", "add_team", "caseworker_leaves",
           "list_staff"]


@dataclass(frozen=True)
class Leaver:
    username: str
    successor: str
    moved: tuple[str, ...]  # case references


def add_la(
    engine: Engine, code: str, name: str, *, actor: str, head_name: str | None = None,
    head_email: str | None = None,
) -> None:
    _names(code=(code, door.LA_CODE_MAX), name=(name, door.NAME_MAX),
           user=(actor, door.USERNAME_MAX), head_name=(head_name, door.NAME_MAX),
           head_email=(head_email, door.EMAIL_MAX))
    with translated(), unit_of_work(engine, write=True) as session:
        directory.add_la(session, code, name, actor=actor, head_of_service_name=head_name,
                         head_of_service_email=head_email)


def add_team(
    engine: Engine, la_code: str, name: str, *, actor: str, manager_name: str | None = None,
    manager_email: str | None = None,
) -> None:
    _names(la=(la_code, door.LA_CODE_MAX), team=(name, door.NAME_MAX),
           user=(actor, door.USERNAME_MAX), manager_name=(manager_name, door.NAME_MAX),
           manager_email=(manager_email, door.EMAIL_MAX))
    with translated(), unit_of_work(engine, write=True) as session:
        directory.add_team(session, la_code, name, actor=actor, manager_name=manager_name,
                           manager_email=manager_email)


def add_caseworker(
    engine: Engine, username: str, name: str, *, team: str, actor: str,
    la_code: str | None = None, email: str | None = None,
) -> None:
    _names(username=(username, door.USERNAME_MAX), name=(name, door.NAME_MAX),
           team=(team, door.NAME_MAX), user=(actor, door.USERNAME_MAX),
           la=(la_code, door.LA_CODE_MAX), email=(email, door.EMAIL_MAX))
    with translated(), unit_of_work(engine, write=True) as session:
        directory.add_caseworker(session, username, name, team=team, la_code=la_code,
                                 email=email, actor=actor)


def caseworker_leaves(engine: Engine, username: str, successor: str, *, actor: str) -> Leaver:
    """``username`` leaves: every case of theirs moves to ``successor`` in one transaction
    (each move audited), and they are given no new cases."""
    _names(username=(username, door.USERNAME_MAX), successor=(successor, door.USERNAME_MAX),
           user=(actor, door.USERNAME_MAX))
    with translated(), unit_of_work(engine, write=True) as session:
        moved = directory.caseworker_leaves(session, username, successor, actor=actor)
    return Leaver(username, successor, tuple(moved))


def list_staff(engine: Engine) -> list[StaffLine]:
    with translated(), unit_of_work(engine) as session:
        return directory.list_staff(session)


def _names(**given: tuple[str | None, int]) -> None:
    for field, (value, limit) in given.items():
        if value is not None:
            door.name(value, field, limit)
