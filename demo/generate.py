"""Seeded, clock-free generator of a realistic local authority's SEND caseload.

``generate_demo_la(seed, as_of)`` builds the whole demo: staff, a steady flow of requests
over the last 30 months (each simulated to its natural end, then cut at ``as_of``), and the
older plans under annual review, some moving school next September. The same seed and
``as_of`` always give the same LA. ``generate_open_cases`` draws a large caseload from the
same simulation, lazily, for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from calendars import Closure, known_local_authorities, load_calendar
from demo.assessment import simulate_assessment
from demo.model import Caseload, DemoCase, DemoLA, Organisation
from demo.review import pick_transfer, simulate_reviews
from demo.schools import School, build_schools
from demo.staff import build_organisation
from demo.timeline import DAY, Timeline, days, next_september, summer_closure

DEMO_LA_CODE = "E10000028"  # the LA whose calendar data ships in calendars/data/
HISTORY_DAYS = 913  # requests are simulated over the last 30 months
CLOSED_KEPT_DAYS = 120  # refusals and ceased plans stay while their appeal window matters
TRANSFER_RATE = 0.18  # plans whose child changes phase next September
ScaleName = Literal["small", "default"]


@dataclass(frozen=True)
class Scale:
    requests_per_year: int
    older_plans: int  # plans made before the simulated window, anchored on their last review


SCALES: Mapping[str, Scale] = {
    "small": Scale(requests_per_year=90, older_plans=300),
    "default": Scale(requests_per_year=650, older_plans=2400),
}


def generate_demo_la(
    seed: int, as_of: dt.date, scale: ScaleName = "default", la_code: str = DEMO_LA_CODE
) -> DemoLA:
    """The demo local authority as it stood at the end of ``as_of``.

    Args:
        seed: Any integer; the same seed and ``as_of`` give the same LA.
        as_of: The day the data describes; no legal date in it is later.
        scale: ``default`` (a few hundred open assessments, a few thousand plans) or
            ``small`` (about a tenth, for tests).
        la_code: A local authority with shipped calendar data.
    """
    size = SCALES[scale]
    rng = _seeded(seed)
    world = _World.create(rng, as_of, la_code, teams=rng.randint(4, 6),
                          caseworkers=rng.randint(15, 25))
    cases: list[DemoCase] = []
    requests = sorted(
        as_of - days(rng, 0, HISTORY_DAYS)
        for _ in range(size.requests_per_year * HISTORY_DAYS // 365)
    )
    for request in requests:
        case = world.case_from_request(rng, request)
        if case is not None:
            cases.append(case)
    for _ in range(size.older_plans):
        case = world.case_from_plan(rng)
        if case is not None:
            cases.append(case)
    return DemoLA(organisation=world.organisation, cases=tuple(cases), seed=seed, as_of=as_of)


def generate_open_cases(n: int, seed: int, as_of: dt.date) -> Caseload:
    """``n`` open cases (assessments under way and maintained plans) for benchmarks.

    The staff scale with ``n`` (about 180 cases per caseworker); cases are produced lazily,
    so a caller can stream 100,000 of them into a database without holding them all.
    """
    rng = _seeded(seed)
    caseworkers = max(6, n // 180)
    world = _World.create(rng, as_of, DEMO_LA_CODE, teams=6, caseworkers=caseworkers)
    return Caseload(organisation=world.organisation, cases=_open_cases(world, rng, n), size=n)


def _open_cases(world: _World, rng: random.Random, n: int) -> Iterator[DemoCase]:
    made = 0
    while made < n:
        if rng.random() < 0.15:
            case = world.case_from_request(rng, world.as_of - days(rng, 0, 400), open_only=True)
        else:
            case = world.case_from_plan(rng, open_only=True)
        if case is not None:
            made += 1
            yield case


@dataclass
class _World:
    """What every case draws on: the date, the staff, the schools, the reference counters."""

    as_of: dt.date
    organisation: Organisation
    schools: tuple[School, ...]
    closures: Mapping[int, tuple[dt.date, dt.date]]
    next_number: dict[int, int]

    @classmethod
    def create(
        cls, rng: random.Random, as_of: dt.date, la_code: str, *, teams: int, caseworkers: int
    ) -> _World:
        la_name = f"{known_local_authorities()[la_code]} (demo)"
        org = build_organisation(rng, la_code=la_code, la_name=la_name, teams=teams,
                                 caseworkers=caseworkers)
        areas = tuple(t.code for t in org.teams[1:-1])
        closures = _summer_closures(load_calendar(la_code).closures(None))
        return cls(as_of, org, build_schools(rng, areas), closures, {})

    def case_from_request(
        self, rng: random.Random, request: dt.date, *, open_only: bool = False
    ) -> DemoCase | None:
        school = rng.choice(self.schools)
        sim = simulate_assessment(rng, request, school.name, self._closure)
        if sim.closed_on is not None and sim.closed_on <= self.as_of:
            if open_only or sim.closed_on < self.as_of - CLOSED_KEPT_DAYS * DAY:
                return None
        if sim.plan_issued is None or sim.plan_issued > self.as_of:
            return self._case(rng, request.year, "assessment", sim.timeline, "assessment")
        outcome = simulate_reviews(rng, sim.timeline, sim.plan_issued, self.as_of)
        return self._review_case(rng, request.year, sim.timeline, school, outcome,
                                 open_only=open_only)

    def case_from_plan(self, rng: random.Random, *, open_only: bool = False) -> DemoCase | None:
        school = rng.choice(self.schools)
        tl = Timeline()
        transfer = None
        if rng.random() < TRANSFER_RATE:
            transfer = pick_transfer(rng, next_september(self.as_of))
            reviewed = dt.date(transfer.on.year - 2, 10, 1) + days(rng, 0, 300)
            tl.fact(reviewed, "phase_transfer_expected", **{
                "from": transfer.from_phase, "to": transfer.to_phase,
                "transfer_date": transfer.on})
        else:
            reviewed = self.as_of - days(rng, 20, 380)
        reviewed = min(reviewed, self.as_of - 20 * DAY)
        tl.add(reviewed, "plan_last_reviewed")
        outcome = simulate_reviews(rng, tl, reviewed, self.as_of, transfer)
        year = self.as_of.year - rng.randint(1, 12)
        to_post16 = transfer is not None and transfer.to_phase == "post16_institution"
        team = "post16" if to_post16 else None
        return self._review_case(rng, year, tl, school, outcome, open_only=open_only, team=team)

    def _review_case(
        self, rng: random.Random, year: int, tl: Timeline, school: School, outcome: str | None,
        *, open_only: bool, team: str | None = None,
    ) -> DemoCase | None:
        if outcome == "cease" and open_only:
            return None
        team = team or (school.area if rng.random() < 0.9 else "post16")
        return self._case(rng, year, "review", tl, team)

    def _case(
        self, rng: random.Random, year: int, process: Literal["assessment", "review"],
        tl: Timeline, team: str,
    ) -> DemoCase:
        number = self.next_number.get(year, 0) + rng.randint(1, 3)
        self.next_number[year] = number
        caseworker = rng.choice(self.organisation.caseworkers(team)).username
        return DemoCase(reference=f"EHC-{year}-{number:05d}", process=process,
                        caseworker=caseworker, events=tl.events(self.as_of))

    def _closure(self, year: int) -> tuple[dt.date, dt.date]:
        return self.closures.get(year) or summer_closure(year)


def _summer_closures(closures: Sequence[Closure]) -> dict[int, tuple[dt.date, dt.date]]:
    """The LA's own summer closures (the only ones of 4 weeks or more), by year."""
    return {c.closed_from.year: (c.closed_from, c.reopens_on)
            for c in closures if c.length_days >= 28}


def _seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible demo data, nothing secret
