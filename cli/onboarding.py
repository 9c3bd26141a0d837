"""``ehc import``: case histories (CSV / JSON / JSON Lines, one row per event), a council's
own caseload workbook through a mapping file, or its last SEN2 return; and
``ehc import --template DIR`` to start a mapping from.

Every form is all or nothing. For a workbook and a return, the data-quality report
(printed, and as an xlsx with ``--report``) comes first, on a dry run and a real run alike.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.common import (
    EXIT_BAD_INPUT,
    EXIT_REFUSED,
    actor,
    add_user_option,
    console,
    fail,
    guarded,
    iso_date,
    progress,
    runtime,
    store,
    today,
)

if TYPE_CHECKING:
    from rich.console import Console

    from services.onboarding import CaseloadSummary, Onboarded

SHOWN = 60  # more issues that do not block are only counted (the --report workbook lists them)
_STYLE = {"impossible": "bold red", "unreadable": "red", "missing": "yellow",
          "inferred": "green"}


def register(subparsers: Any) -> None:
    load = subparsers.add_parser(
        "import", help="import case histories, a council's caseload workbook (--mapping) or "
        "its SEN2 return (--sen2), all or nothing",
        description="Without --mapping: a CSV (one row per event), JSON or JSON Lines file "
        "of case histories. With --mapping: a council's own workbook (.xlsx) or CSV, one row "
        "per case. See docs/import-format.md.")
    load.add_argument("file", type=Path, nargs="?", help="the file to import")
    load.add_argument("--mapping", type=Path, metavar="YAML",
                      help="which column holds which fact (ehc import --template writes one)")
    load.add_argument("--sen2", type=Path, metavar="XML",
                      help="build the opening caseload from a person-level SEN2 return")
    load.add_argument("--template", type=Path, metavar="DIR",
                      help="write a starter mapping.yaml and example.xlsx into DIR")
    load.add_argument("--dry-run", action="store_true",
                      help="report what would be imported and every problem; write nothing")
    load.add_argument("--history", action="store_true",
                      help="rows are history: dates before 1 September 2014 are accepted, "
                      "flagged as imported")
    load.add_argument("--sheet", help="the workbook's sheet (default: the mapping's, else "
                      "the first)")
    load.add_argument("--report", type=Path, metavar="FILE.xlsx",
                      help="write the data-quality report as a workbook")
    load.add_argument("--caseworker", help="with --sen2: who gets the new cases")
    load.add_argument("--la", metavar="CODE", help="with --sen2: the authority's ONS code, "
                      "when the return gives only its number")
    load.add_argument("--as-of", type=iso_date, help="judge dates as of this day "
                      "(default: today)")
    add_user_option(load)
    load.set_defaults(handler=guarded(import_command))


def import_command(args: argparse.Namespace) -> int:
    wrong = _misused(args)
    if wrong:
        return fail(wrong, EXIT_BAD_INPUT)
    if args.template is not None:
        from services.onboarding import starter_files

        mapping, example = starter_files(args.template)
        print(f"wrote {mapping} and {example}\n  try: ehc import {example} --mapping {mapping} "
              "--dry-run")
        return 0
    if args.sen2 is not None:
        from services.onboarding import import_sen2

        with progress("Checking the return") as advance:
            done = import_sen2(store(), args.sen2, actor=actor(args), as_of=today(args),
                               dry_run=args.dry_run, caseworker=args.caseworker,
                               la_code=args.la, mapping_path=args.mapping, progress=advance)
        return _finish(args, done)
    if args.mapping is not None:
        from services.onboarding import import_caseload

        with progress("Checking the caseload") as advance:
            done = import_caseload(store(), args.file, args.mapping, actor=actor(args),
                                   as_of=today(args), dry_run=args.dry_run,
                                   history=args.history, sheet=args.sheet,
                                   adviser_types=runtime().settings.adviser_types_file,
                                   progress=advance)
        return _finish(args, done)
    return _case_histories(args)


def _misused(args: argparse.Namespace) -> str | None:
    sources = [name for name, given in (("a file", args.file), ("--sen2", args.sen2),
                                        ("--template", args.template)) if given is not None]
    if len(sources) != 1:
        return ("give one of: a file to import, --sen2 XML, or --template DIR"
                if not sources else f"give only one of {', '.join(sources)}")
    if args.file is not None and args.mapping is None:
        if args.file.suffix.lower() in (".xlsx", ".xlsm"):
            return (f"{args.file.name} is a workbook: give --mapping YAML to say which column "
                    "holds what (ehc import --template DIR writes a starter)")
        extra = [flag for flag, on in (("--dry-run", args.dry_run), ("--history", args.history),
                                       ("--sheet", args.sheet), ("--report", args.report))
                 if on]
        if extra:
            return f"{', '.join(extra)} need(s) --mapping (or --sen2)"
    if args.sen2 is None and (args.caseworker or args.la):
        return "--caseworker and --la go with --sen2"
    if args.sen2 is not None and (args.history or args.sheet):
        return "--history and --sheet go with a workbook and --mapping"
    return None


def _case_histories(args: argparse.Namespace) -> int:
    from services.errors import ImportRefused
    from services.store import import_file

    try:
        with progress("Importing cases") as advance:
            report = import_file(store(), args.file, actor=actor(args), as_of=today(args),
                                 progress=advance)
    except ImportRefused as exc:
        if any("missing column(s)" in problem for problem in exc.problems):
            raise ImportRefused(f"{exc}; one row per case in your own columns? give "
                                "--mapping (ehc import --template DIR writes a starter)",
                                exc.problems) from None
        raise
    print(
        f"imported {report.events_added} events into {report.cases_touched} cases "
        f"({report.cases_opened} new); {report.events_already_present} events were already "
        "on file"
    )
    return 0


def _finish(args: argparse.Namespace, done: Onboarded) -> int:
    out = console()
    _print_report(out, done)
    if args.report is not None:
        from services.onboarding import save_report

        save_report(done.report, args.report)
        out.print(f"data-quality report written to {args.report}")
    counts = done.counts
    blocking = len(done.report.blocking)
    if blocking:
        out.print(f"refused, nothing was imported: {blocking} problem"
                  f"{'s' if blocking != 1 else ''} to correct (impossible or unreadable); "
                  "correct the file and run it again")
        return EXIT_REFUSED
    if not done.written:
        out.print(f"dry run, nothing written: importing would open {counts.cases_opened} "
                  f"cases and add {counts.events_added} events "
                  f"({counts.events_already_present} already on file)")
        return 0
    out.print(f"imported {counts.events_added} events into {counts.cases_touched} cases "
              f"({counts.cases_opened} new); {counts.events_already_present} events were "
              "already on file")
    if done.summary is not None:
        _print_summary(out, done.summary)
    out.print("next: tonight's first sweep should be a baseline, so the overdue deadlines of "
              "an imported caseload do not all email at once:\n  ehc sweep --baseline "
              "--dry-run   # what it would record\n  ehc sweep --baseline             "
              "# record it, send nothing (docs/operations.md)")
    return 0


def _print_report(out: Console, done: Onboarded) -> None:
    from rich.table import Table

    report = done.report
    out.print(f"{report.source}: {len(report.cases)} {report.unit}s, {report.events} events "
              "planned")
    shown = [i for i in report.issues if i.blocking]
    rest = [i for i in report.issues if not i.blocking]
    if len(rest) <= SHOWN:
        shown, rest = list(report.issues), []
    if shown:
        references = {case.row: case.reference for case in report.cases}
        table = Table(title="data quality", title_justify="left")
        for heading in (report.unit, "case", "column", "severity", "what"):
            table.add_column(heading, overflow="fold")
        for issue in shown:
            table.add_row(str(issue.row or ""), references.get(issue.row or 0, ""),
                          issue.column or "", issue.severity, issue.message,
                          style=_STYLE[issue.severity])
        out.print(table)
    if rest:
        out.print(f"{len(rest)} issues that do not block (missing or inferred) are counted "
                  "below; every one is in the --report workbook")
    totals = Table(title="totals by kind", title_justify="left")
    for heading in ("severity", "kind", "count"):
        totals.add_column(heading)
    for total in report.totals():
        totals.add_row(total.severity, total.title, str(total.count),
                       style=_STYLE[total.severity])
    if report.totals():
        out.print(totals)


def _print_summary(out: Console, summary: CaseloadSummary) -> None:
    from rich.table import Table

    table = Table(title=f"the imported caseload on {summary.as_of:%d %B %Y}",
                  title_justify="left")
    table.add_column("")
    table.add_column("cases", justify="right")
    for band, count in summary.assessments_by_week:
        table.add_row(f"open assessments, {band} of the 20", str(count))
    table.add_row("open assessments, 20 weeks disapplied (exception)",
                  str(summary.assessments_disapplied))
    table.add_row("annual reviews overdue", str(summary.reviews_overdue))
    table.add_row("annual reviews due in the next 8 weeks", str(summary.reviews_due_soon))
    for amend_by, plans, met in summary.transfer_cohorts:
        table.add_row(f"phase transfer: amend by {amend_by:%d %b %Y} ({met} done)", str(plans))
    out.print(table)
