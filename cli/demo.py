"""``ehc demo``: create the demo local authority in the case store and say what is in it.

The LA is generated from ``--seed`` and ``--as-of`` (``demo.generate``) and loaded in one
transaction through the bulk import, so it is all or nothing, and running the command
again with the same seed and date adds nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Any

from cli.common import fail, guarded, iso_date, serviced
from cli.today import london_today
from db.errors import ImportRejected
from db.migrate import upgrade_to_head
from db.session import describe, get_engine, unit_of_work
from db.worklist import WorkItem, worklist
from demo import SCALES, generate_demo_la
from demo.load import StoredCounts, load_cases, load_organisation, stored_counts
from demo.model import DemoLA
from demo.persons import invented_records
from demo.summary import plan_timeliness
from services.person import set_person

DEFAULT_SEED = 2026
DUE_SOON_DAYS = 10
SHOWN_PROBLEMS = 5


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo", help="create a realistic demo local authority (invented staff and cases)"
    )
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED,
                      help=f"the same seed and date give the same LA (default {DEFAULT_SEED})")
    demo.add_argument("--as-of", type=iso_date,
                      help="the day the data runs up to (default: today in England)")
    demo.add_argument("--scale", choices=sorted(SCALES), default="default",
                      help="default: a few thousand cases; small: about a tenth")
    demo.add_argument("--person-records", action="store_true",
                      help="also give every case an invented person record (names, UPN, "
                           "placements), for the SEN2 return")
    demo.set_defaults(handler=guarded(serviced(create_demo)))


def create_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    as_of = args.as_of or london_today()
    upgrade_to_head(get_engine())
    la = generate_demo_la(args.seed, as_of, args.scale)
    code = la.organisation.la_code
    try:
        with unit_of_work(write=True) as session:
            staff_added = load_organisation(session, la.organisation)
            report = load_cases(session, code, la.cases)
    except ImportRejected as exc:
        return _refused(exc)
    if args.person_records:
        records = invented_records([case.reference for case in la.cases], args.seed, as_of)
        workers = {case.reference: case.caseworker for case in la.cases}
        with unit_of_work(write=True) as session:
            for reference, fields in records.items():
                set_person(session, reference, fields, actor=workers[reference])
    with unit_of_work() as session:
        counts = stored_counts(session, code)
        items = worklist(session, as_of=as_of, within_days=DUE_SOON_DAYS, la_code=code)
    seconds = time.perf_counter() - started
    print(_paragraph(la, counts, items))
    if report.events_added == 0 and staff_added == 0:
        print(f"\nThe demo was already in {describe(get_engine().url)}: nothing new was added "
              f"({report.events_already_present:,} events already on file).")
    else:
        print(f"\nLoaded {report.events_added:,} events into {describe(get_engine().url)} "
              f"in {seconds:.1f} s.")
    suggestion = _busiest_caseworker(items)
    if suggestion:
        when = "" if as_of == london_today() else f" --as-of {as_of}"
        print(f"\nNext: ehc due --caseworker {suggestion}{when}")
    return 0


def _paragraph(la: DemoLA, counts: StoredCounts, items: list[WorkItem]) -> str:
    org = la.organisation
    processes = Counter(case.process for case in la.cases)
    overdue = sum(1 for item in items if item.days_late)
    timeliness = plan_timeliness(la)
    return (
        f"{org.la_code} {org.la_name}, seed {la.seed}, as of {la.as_of}: "
        f"{len(org.teams)} teams, {len(org.caseworkers())} caseworkers; "
        f"{counts.cases:,} cases ({processes['assessment']:,} assessments, "
        f"{processes['review']:,} plans under annual review) with {la.event_count:,} events "
        f"and {counts.deadlines:,} deadlines. On {la.as_of}, {overdue:,} deadlines "
        f"are overdue and {len(items) - overdue:,} more fall due within {DUE_SOON_DAYS} days; "
        f"{timeliness.late_share:.0%} of the {timeliness.plans:,} new plans in the data took "
        "longer than 20 weeks. Staff and cases are invented; children appear only as case "
        "references."
    )


def _busiest_caseworker(items: list[WorkItem]) -> str | None:
    """The caseworker with the most to do: their list makes the best first look."""
    counts = Counter(item.caseworker for item in items)
    return min(counts, key=lambda name: (-counts[name], name)) if counts else None


def _refused(exc: ImportRejected) -> int:
    for problem in exc.problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=sys.stderr)
    more = len(exc.problems) - SHOWN_PROBLEMS
    if more > 0:
        print(f"  ... and {more} more", file=sys.stderr)
    return fail(
        f"{exc}. The database already holds other cases under the demo's references "
        "(a demo made with another --seed or --as-of?): use a fresh EHC_DATA_DIR or "
        "EHC_DATABASE_URL, or the same --seed and --as-of as before."
    )
