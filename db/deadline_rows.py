"""The ``deadlines`` table as engine ``Deadline`` values: read them, and rewrite one case's.

A rewrite is a diff, not delete-and-insert: unchanged rows keep their ids, changed ones are
updated in place, and the changes are returned so a calendar update can audit them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, literal, or_, select, true, update
from sqlalchemy.orm import Session

from db.base import Base
from db.schema import Case, Caseworker, DeadlineRow, Team
from engine.status import Deadline

DEADLINE_FIELDS = (
    "key", "instance", "rule", "kind", "statutory", "actor", "nominal", "due", "met_on",
    "met_by", "exception", "premature_on", "trigger", "trigger_date", "citation", "explanation",
    "plain_explanation", "exception_recorded_on", "escalates",
)


@dataclass(frozen=True)
class DeadlineChange:
    """One deadline whose dates moved (or that appeared or went away) in a rewrite."""

    key: str
    instance: str
    old_due: dt.date | None
    new_due: dt.date | None
    old_nominal: dt.date | None
    new_nominal: dt.date | None

    def as_detail(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "instance": self.instance,
            "old_due": _iso(self.old_due),
            "new_due": _iso(self.new_due),
            "old_nominal": _iso(self.old_nominal),
            "new_nominal": _iso(self.new_nominal),
        }


def deadline_from_row(row: Any) -> Deadline:
    """A stored row (ORM object or Core row of ``STORED`` columns) as its ``Deadline``."""
    values: dict[str, Any] = {name: getattr(row, name) for name in DEADLINE_FIELDS}
    return Deadline(
        **values,
        exceptions_available=tuple(row.exceptions_available),
        warnings=tuple(row.warnings or ()),
    )


DEADLINES = Base.metadata.tables["deadlines"]
# A stored row as the diff needs it: its id, its case and every projected column. Core rows,
# not ORM objects: a rewrite reads and writes plain values (a quarter of recording an event
# was the ORM building, tracking and flushing objects it never needed).
STORED = (DEADLINES.c.id, DEADLINES.c.case_id,
          *(DEADLINES.c[name] for name in DEADLINE_FIELDS),
          DEADLINES.c.exceptions_available, DEADLINES.c.warnings)
# Executed many: SET takes the columns the parameter sets name (every projected one).
_UPDATE = DEADLINES.update().where(DEADLINES.c.id == bindparam("row_id"))


def case_deadlines(session: Session, case_id: int) -> list[Any]:
    """The case's stored rows (``STORED`` columns), by nominal date then key."""
    query = select(*STORED).where(DEADLINES.c.case_id == case_id)
    return list(session.execute(query.order_by(DEADLINES.c.nominal, DEADLINES.c.key)))


def deadlines_of_cases(session: Session, case_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The stored rows of each of ``case_ids`` (an empty list for a case with none)."""
    found: dict[int, list[Any]] = {case_id: [] for case_id in case_ids}
    for start in range(0, len(case_ids), 500):  # under every database's parameter limit
        chunk = case_ids[start : start + 500]
        for row in session.execute(select(*STORED).where(DEADLINES.c.case_id.in_(chunk))):
            found[row.case_id].append(row)
    return found


def rewrite_deadlines(
    session: Session,
    case_id: int,
    deadlines: Iterable[Deadline],
    *,
    now: dt.datetime,
    existing: Sequence[Any] | None = None,
) -> list[DeadlineChange]:
    """Make the case's rows exactly ``deadlines``; returns the date changes.

    ``existing`` (the case's current rows, as ``case_deadlines`` reads them) may be given to
    save a query in bulk rebuilds.
    """
    current = case_deadlines(session, case_id) if existing is None else existing
    rows = {(r.key, r.instance): r for r in current}
    changes: list[DeadlineChange] = []
    added: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    for deadline in deadlines:
        values = deadline_values(deadline)
        row = rows.pop((deadline.key, deadline.instance), None)
        if row is None:
            added.append({**values, "case_id": case_id, "projected_at": now})
            changes.append(_change(deadline.key, deadline.instance, None, deadline))
            continue
        if any(getattr(row, name) != value for name, value in values.items()):
            if (row.due, row.nominal) != (deadline.due, deadline.nominal):
                changes.append(_change(deadline.key, deadline.instance, row, deadline))
            updated.append({**values, "row_id": row.id, "projected_at": now})
    for row in rows.values():
        changes.append(_change(row.key, row.instance, row, None))
    if rows:
        gone = [row.id for row in rows.values()]
        session.execute(DEADLINES.delete().where(DEADLINES.c.id.in_(gone)))
    if updated:
        session.execute(_UPDATE, updated)
    if added:
        session.execute(DEADLINES.insert(), added)
    if added or updated or rows:
        # New dates mean new notices: the sweep reads the case on its next night.
        # (Not matched against every Case the session holds: an import holds thousands.)
        session.execute(update(Case).where(Case.id == case_id).values(next_sweep_on=None)
                        .execution_options(synchronize_session=False))
    return changes


def deadline_values(deadline: Deadline) -> dict[str, Any]:
    values = {name: getattr(deadline, name) for name in DEADLINE_FIELDS}
    values["exceptions_available"] = list(deadline.exceptions_available)
    values["warnings"] = list(deadline.warnings)
    return values


def _change(key: str, instance: str, old: Any | None, new: Deadline | None) -> DeadlineChange:
    return DeadlineChange(
        key=key,
        instance=instance,
        old_due=old.due if old else None,
        new_due=new.due if new else None,
        old_nominal=old.nominal if old else None,
        new_nominal=new.nominal if new else None,
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class OpenDeadline:
    """One deadline still open on a day, with the case and the people it concerns."""

    case_id: int
    reference: str
    la_id: int
    caseworker: str  # username
    caseworker_name: str
    caseworker_email: str | None
    team_id: int
    team: str
    manager_name: str | None
    manager_email: str | None
    deadline: Deadline


def open_deadlines(
    session: Session,
    *,
    as_of: dt.date,
    due_by: dt.date,
    la_id: int | None = None,
    caseworker_id: int | None = None,
    team_id: int | None = None,
) -> list[OpenDeadline]:
    """THE read model of what is open: limits not met by the end of ``as_of`` whose due
    date is on or before ``due_by``, oldest due first (the worklist and the digest; the
    sweep reads the same rows through ``sweep_candidates``).

    ``due_by`` is the caller's horizon; "due soon" is defined once, in working days, by
    ``engine.status.due_soon_horizon``.
    """
    query = _open_rows().where(open_condition(as_of, due_by))
    if la_id is not None:
        query = query.where(Case.la_id == la_id)
    if caseworker_id is not None:
        query = query.where(Case.caseworker_id == caseworker_id)
    if team_id is not None:
        query = query.where(Caseworker.team_id == team_id)
    return _read(session, query)


def sweep_candidates(
    session: Session, *, as_of: dt.date, la_id: int, case_ids: tuple[int, int],
    every_case: bool = False,
) -> list[OpenDeadline]:
    """What the sweep must see of the authority's cases (``case_ids`` = first, last id)
    whose night has come (``woken``; or of all of them): every open limit whatever its
    due date (a date far off still sets the case's next night), disapplied ones included,
    and windows acted inside."""
    d = DeadlineRow
    never_met = and_(d.kind == "limit", d.met_on.is_(None), d.trigger_date <= as_of)
    met_later = and_(d.kind == "limit", d.met_on > as_of, d.trigger_date <= as_of)
    acted = and_(d.kind == "window", d.premature_on.is_not(None), d.premature_on <= as_of)
    query = _open_rows(explained=False).where(
        Case.la_id == la_id, Case.id.between(*case_ids),
        woken(as_of, every_case=every_case),
        or_(never_met, met_later, acted),
    )
    return _read(session, query)


def woken(as_of: dt.date, *, every_case: bool = False) -> ColumnElement[bool]:
    """The cases the sweep of ``as_of`` must read: never read since their deadlines last
    changed, or whose next night (``cases.next_sweep_on``) has come; or ``every_case``."""
    if every_case:
        return true()
    return or_(Case.next_sweep_on.is_(None), Case.next_sweep_on <= as_of)


# What the read model takes of a deadline row: plain columns, not ORM objects (the sweep
# reads hundreds of thousands of them a night).
_READ = ("case_id", *DEADLINE_FIELDS, "exceptions_available", "warnings")


# The explanations are most of a row's bytes, and the sweep never shows one: its deadlines
# carry them empty (``explained=False``).
_EXPLANATIONS = ("explanation", "plain_explanation")


def _open_rows(*, explained: bool = True) -> Any:
    d = DeadlineRow
    columns = [literal("").label(name) if not explained and name in _EXPLANATIONS
               else d.__table__.c[name] for name in _READ]
    return (
        select(*columns, Case.reference, Case.la_id,
               Caseworker.username, Caseworker.name.label("caseworker_name"),
               Caseworker.email.label("caseworker_email"), Team.id.label("team_id"),
               Team.name.label("team_name"), Team.manager_name, Team.manager_email)
        .select_from(d)
        .join(Case, Case.id == d.case_id)
        .join(Caseworker, Caseworker.id == Case.caseworker_id)
        .join(Team, Team.id == Caseworker.team_id)
        .order_by(d.due, Case.reference, d.key, d.instance)
    )


def _read(session: Session, query: Any) -> list[OpenDeadline]:
    found = []
    for row in session.execute(query):
        r = row._mapping
        deadline = Deadline(
            **{name: r[name] for name in DEADLINE_FIELDS},
            exceptions_available=tuple(r["exceptions_available"]),
            warnings=tuple(r["warnings"] or ()),
        )
        found.append(OpenDeadline(
            r["case_id"], r["reference"], r["la_id"], r["username"], r["caseworker_name"],
            r["caseworker_email"], r["team_id"], r["team_name"], r["manager_name"],
            r["manager_email"], deadline))
    return found


def open_condition(as_of: dt.date, due_by: dt.date) -> ColumnElement[bool]:
    """The ``WHERE`` of ``open_deadlines``."""
    d = DeadlineRow
    # Spelt as two arms so that the first (never met: nearly every open row) is answered
    # from the partial index ``ix_deadlines_open_limits``; the second (met after ``as_of``:
    # only when a past night is read) from ``ix_deadlines_due_open``.
    never_met = and_(d.kind == "limit", d.met_on.is_(None), d.trigger_date <= as_of)
    met_later = and_(d.kind == "limit", d.met_on > as_of, d.trigger_date <= as_of)
    return or_(*(and_(arm, d.due <= due_by) for arm in (never_met, met_later)))
