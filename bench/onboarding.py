"""(d) ``ehc import caseload.xlsx --mapping``: a council's workbook of the demo authority's
shape (one row per case, the latest dates of each), dry run, real run, and again.

    .venv/bin/python -m bench.onboarding [--scale default] [--seed 2026] [--as-of D]
                                        [--postgres] [--keep DIR]

The generated authority (``demo.generate_demo_la``) is written as a council keeps it: a
merged title, merged group headings, UK dates typed as text in some rows and Excel dates
in others, trailing spaces, the council's words for outcomes. Its staff are loaded first
(``db.demo_load``), then each run is a real ``ehc import`` process on a fresh database
(SQLite; with ``--postgres`` also a scratch database at ``EHC_BENCH_POSTGRES_URL``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.harness import (
    HEADER,
    Result,
    demo_options,
    ehc,
    machine,
    measure_ok,
    postgres_create,
    postgres_drop,
    run_env,
)
from db.demo_load import load_organisation
from db.migrate import upgrade_to_head
from db.session import make_engine, unit_of_work
from demo import generate_demo_la
from demo.model import DemoCase
from intake.workbook import write_caseload

HEADINGS = ("Case ref", "Caseworker", "NCY", "Request received", "Decision date", "Decision",
            "requested", "received", "requested", "received", "requested", "received",
            "Draft plan issued", "Not to issue", "Final plan issued", "Last review",
            "Last AR meeting", "AR decision date", "AR outcome")
GROUPS = (("EP advice", 7, 8), ("Health advice", 9, 10), ("Social care advice", 11, 12))
MAPPING = """\
sheet: Caseload
local_authority: {la}
columns: {{reference: Case ref, caseworker: Caseworker, year_group: NCY}}
events:
  request_received: Request received
  decision_to_assess_notified: Decision date
  draft_plan_served: Draft plan issued
  decision_not_to_issue_notified: Not to issue
  final_plan_issued: Final plan issued
  plan_last_reviewed: Last review
  review_meeting_held: Last AR meeting
  review_decision_notified: AR decision date
outcomes:
  decision_to_assess_notified: {{column: Decision, values: {{Agreed: assess, Declined: refuse}}}}
  review_decision_notified:
    column: AR outcome
    values: {{Maintain: maintain, Amend: amend, Cease: cease}}
advice:
  - {{adviser: educational_psychologist, requested: EP advice requested,
     received: EP advice received}}
  - {{adviser: health, organisation: Staffordshire ICB, requested: Health advice requested,
     received: Health advice received}}
  - {{adviser: social_care, requested: Social care advice requested,
     received: Social care advice received}}
"""
_WORDS = {"assess": "Agreed", "refuse": "Declined", "maintain": "Maintain", "amend": "Amend ",
          "cease": "Cease"}
_NCY = {"primary": "Year 6", "secondary": "11", "early_years": "N2", "infant": "2"}


def row(case: DemoCase, number: int) -> list[Any]:
    """The case as one row of latest dates; every third row types its dates as text."""
    first: dict[str, Mapping[str, Any]] = {}
    for event in case.events:
        key = event["type"] + (f":{event['advisor']}" if "advisor" in event else "")
        if event["type"] in ("review_meeting_held", "review_decision_notified"):
            first[key] = event  # the latest
        else:
            first.setdefault(key, event)
    meeting = first.get("review_meeting_held")
    decision = first.get("review_decision_notified")
    if meeting and decision and decision["date"] < meeting["date"]:
        decision = None  # the last meeting's decision is not made yet
    draft = first.get("draft_plan_served") or first.get("draft_plan_posted")
    transfer = first.get("phase_transfer_expected")

    def day(event: Mapping[str, Any] | None) -> Any:
        if event is None:
            return None
        value = dt.date.fromisoformat(event["date"])
        return f"{value:%d/%m/%Y} " if number % 3 == 0 else value

    def word(event: Mapping[str, Any] | None) -> str | None:
        return _WORDS[event["outcome"]] if event else None

    advice = []
    for adviser in ("educational_psychologist", "health_icb", "social_care"):  # the demo's
        advice += [day(first.get(f"advice_requested:{adviser}")),
                   day(first.get(f"advice_received:{adviser}"))]
    decided = first.get("decision_to_assess_notified")
    return [case.reference, case.caseworker, _NCY.get(transfer["from"]) if transfer else None,
            day(first.get("request_received")), day(decided), word(decided), *advice,
            day(draft), day(first.get("decision_not_to_issue_notified")),
            day(first.get("final_plan_issued")), day(first.get("plan_last_reviewed")),
            day(meeting), day(decision), word(decision)]


def build(folder: Path, args: argparse.Namespace) -> tuple[Path, Path, Any, int]:
    la = generate_demo_la(args.seed, args.as_of, args.scale)
    rows = [row(case, n) for n, case in enumerate(la.cases)]
    workbook = folder / "caseload.xlsx"
    write_caseload(workbook, title=f"{la.organisation.la_name}: SEND caseload",
                   groups=GROUPS, headings=HEADINGS, rows=rows)
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING.format(la=la.organisation.la_code), encoding="utf-8")
    return workbook, mapping, la.organisation, len(rows)


def runs(label: str, url: str, files: Sequence[Path], org: Any,
         args: argparse.Namespace, data_dir: str) -> list[Result]:
    engine = make_engine(url)
    upgrade_to_head(engine)
    with unit_of_work(engine, write=True) as session:
        load_organisation(session, org)
    engine.dispose()
    env = run_env(EHC_DATA_DIR=data_dir, EHC_DATABASE_URL=url)
    base = ehc("import", str(files[0]), "--mapping", str(files[1]), "--as-of",
               args.as_of.isoformat())
    report = ["--dry-run", "--report", str(files[0].with_name("report.xlsx"))]
    return [measure_ok(f"ehc import caseload.xlsx --mapping, {label}, {attempt}",
                       base + extra, env)
            for attempt, extra in (("dry run", report), ("real run", []), ("again", []))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    demo_options(parser)
    parser.add_argument("--keep", type=Path, help="write the workbook and mapping here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ehc-bench-onboarding-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        workbook, mapping, org, cases = build(folder, args)
        results = runs("SQLite", f"sqlite:///{scratch}/ehc.sqlite3", (workbook, mapping), org,
                       args, scratch)
        summary = results[1].output
        if args.postgres:
            name = f"ehc_bench_onboarding_{uuid.uuid4().hex[:8]}"
            url = postgres_create(name)
            try:
                results += runs("PostgreSQL", url, (workbook, mapping), org, args, scratch)
            finally:
                postgres_drop(name)
    print(machine())
    print(f"\n{cases} cases (demo authority, seed {args.seed}, as of {args.as_of})\n")
    print(HEADER)
    for result in results:
        print(result.row())
    print("\n" + summary)


if __name__ == "__main__":
    main()
