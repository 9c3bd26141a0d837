"""``ehc demo``: create the demo local authority in the case store and say what is in it.

The LA is generated from ``--seed`` and ``--as-of`` (``demo.generate``) and loaded in one
transaction through the bulk import, so it is all or nothing, and running the command
again with the same seed and date adds nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from cli.common import fail, guarded, iso_date, progress, store, today

if TYPE_CHECKING:
    from services.demo import DemoLoaded
    from services.errors import ImportRefused
    from services.worklist import WorkItem

DEFAULT_SEED = 2026
SHOWN_PROBLEMS = 5


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo", help="create a realistic demo local authority (invented staff and cases)"
    )
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED,
                      help=f"the same seed and date give the same LA (default {DEFAULT_SEED})")
    demo.add_argument("--as-of", type=iso_date,
                      help="the day the data runs up to (default: today in England)")
    demo.add_argument("--scale", choices=("default", "small"), default="default",
                      help="default: a few thousand cases; small: about a tenth")
    demo.add_argument("--person-records", action="store_true",
                      help="also give every case an invented person record (names, UPN, "
                           "placements), for the SEN2 return")
    demo.set_defaults(handler=guarded(create_demo))


def create_demo(args: argparse.Namespace) -> int:
    from services.demo import load_demo
    from services.errors import ImportRefused

    started = time.perf_counter()
    as_of = today(args)
    try:
        with progress("Loading the demo authority") as advance:
            loaded = load_demo(store(), seed=args.seed, as_of=as_of, scale=args.scale,
                               progress=advance)
    except ImportRefused as exc:
        return _refused(exc)
    if args.person_records:
        _invent_people(loaded, args.seed, as_of)
    seconds = time.perf_counter() - started
    print(_paragraph(loaded))
    if loaded.events_added == 0 and loaded.staff_added == 0:
        print(f"\nThe demo was already in {loaded.where}: nothing new was added "
              f"({loaded.events_already_present:,} events already on file).")
    else:
        print(f"\nLoaded {loaded.events_added:,} events into {loaded.where} in {seconds:.1f} s.")
    suggestion = _busiest_caseworker(loaded.due.items)
    if suggestion:
        when = "" if args.as_of is None else f" --as-of {as_of}"
        print(f"\nNext: ehc due --caseworker {suggestion}{when}")
    return 0


def _invent_people(loaded: DemoLoaded, seed: int, as_of: dt.date) -> None:
    from demo.persons import invented_records
    from services.person import set_people

    cases = loaded.la.cases
    records = invented_records([case.reference for case in cases], seed, as_of)
    set_people(store(), {c.reference: (c.caseworker, records[c.reference]) for c in cases})


def _paragraph(loaded: DemoLoaded) -> str:
    from demo.summary import plan_timeliness

    la, counts, items = loaded.la, loaded.counts, loaded.due.items
    org = la.organisation
    processes = Counter(case.process for case in la.cases)
    overdue = loaded.due.overdue
    timeliness = plan_timeliness(la)
    return (
        f"{org.la_code} {org.la_name}, seed {la.seed}, as of {la.as_of}: "
        f"{len(org.teams)} teams, {len(org.caseworkers())} caseworkers; "
        f"{counts.cases:,} cases ({processes['assessment']:,} assessments, "
        f"{processes['review']:,} plans under annual review) with {la.event_count:,} events "
        f"and {counts.deadlines:,} deadlines. On {la.as_of}, {overdue:,} deadlines "
        f"are overdue and {len(items) - overdue:,} more fall due within 10 working days; "
        f"{timeliness.late_share:.0%} of the {timeliness.plans:,} new plans in the data took "
        "longer than 20 weeks. Staff and cases are invented; children appear only as case "
        "references."
    )


def _busiest_caseworker(items: tuple[WorkItem, ...]) -> str | None:
    """The caseworker with the most to do: their list makes the best first look."""
    counts = Counter(item.caseworker for item in items)
    return min(counts, key=lambda name: (-counts[name], name)) if counts else None


def _refused(exc: ImportRefused) -> int:
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
