"""Facts about a generated LA worth printing after a demo load (pure: data in, numbers out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from demo.model import DemoLA

TWENTY_WEEKS = dt.timedelta(weeks=20)


@dataclass(frozen=True)
class Timeliness:
    """New plans in the data, and how many took longer than 20 weeks from the request."""

    plans: int
    late: int

    @property
    def late_share(self) -> float:
        return self.late / self.plans if self.plans else 0.0


def plan_timeliness(la: DemoLA) -> Timeliness:
    """Every case whose history runs from the request to the final plan (T1: a plan issued
    on request + 140 days is in time)."""
    plans = late = 0
    for case in la.cases:
        dates = {e["type"]: e["date"] for e in case.events if "date" in e}
        if "request_received" in dates and "final_plan_issued" in dates:
            plans += 1
            took = dt.date.fromisoformat(dates["final_plan_issued"]) - dt.date.fromisoformat(
                dates["request_received"]
            )
            late += took > TWENTY_WEEKS
    return Timeliness(plans=plans, late=late)
