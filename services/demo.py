"""The demo local authority: generate it (seeded, clock-free) and load it through the
same bulk import a real caseload uses, in one transaction, so it is all or nothing and a
second run with the same seed and date adds nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine

from db.demo_load import StoredCounts, load_cases, load_organisation, stored_counts
from db.migrate import upgrade_to_head
from db.progress import Progress, silent
from db.session import describe, unit_of_work
from demo import generate_demo_la
from demo.model import DemoLA
from services.errors import translated
from services.worklist import Worklist, worklist


@dataclass(frozen=True)
class DemoLoaded:
    la: DemoLA
    where: str
    staff_added: int
    events_added: int
    events_already_present: int
    counts: StoredCounts
    due: Worklist  # the authority's deadlines overdue or due soon on the demo's day


def load_demo(
    engine: Engine,
    *,
    seed: int,
    as_of: dt.date,
    scale: Literal["small", "default"],
    progress: Progress = silent,
) -> DemoLoaded:
    """Set up the database if needed, then load the generated authority.

    Raises:
        ImportRefused: the database holds other cases under the demo's references.
    """
    la = generate_demo_la(seed, as_of, scale)
    code = la.organisation.la_code
    with translated():
        upgrade_to_head(engine)
        with unit_of_work(engine, write=True) as session:
            staff_added = load_organisation(session, la.organisation)
            report = load_cases(session, code, la.cases, progress=progress)
        with unit_of_work(engine) as session:
            counts = stored_counts(session, code)
    return DemoLoaded(la, describe(engine.url), staff_added, report.events_added,
                      report.events_already_present, counts,
                      worklist(engine, as_of=as_of, la_code=code))
