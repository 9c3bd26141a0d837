"""The figures a SEND service is judged on, counted as the national return (SEN2) counts
them, for an authority, a team or one caseworker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import Engine

from db.session import unit_of_work
from db.timeliness import measured_deadlines
from engine.timeliness import Figure, timeliness
from services.errors import InvalidInput, translated

LABELS: Mapping[str, str] = {
    "decision_6_weeks": "decisions whether to assess within 6 weeks (R01)",
    "advice_6_weeks": "advice within 6 weeks (R02)",
    "plan_20_weeks": "final plans within 20 weeks (R06)",
    "review_decision_4_weeks": "review decisions within 4 weeks (R11)",
    "amendment_12_weeks": "amended plans within 12 weeks of the meeting (R12c)",
}


def figures(
    engine: Engine,
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    la_code: str | None = None,
    team: str | None = None,
    caseworker: str | None = None,
) -> dict[str, Figure]:
    """Per measure: deadlines met in ``[start, end]``, on time or not, with and without
    exceptions; open ones judged on ``as_of``."""
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start})", field="to")
    with translated(), unit_of_work(engine) as session:
        deadlines = measured_deadlines(session, la_code=la_code, team=team,
                                       caseworker=caseworker)
    return timeliness(deadlines, start, end, as_of)
