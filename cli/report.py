"""``ehc report ...``: the timeliness report, committee charts and the SEN2 return.

Thin: parse the command line, call ``services``, write what they return. Service errors
become a message and an exit code (``cli.common.guarded``); a file is written only once
its figures are complete.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.common import actor, add_user_option, console, fail, guarded, iso_date, runtime, store

if TYPE_CHECKING:
    from services.reporting import TimelinessReport

BY_CHOICES = ("total", "month", "quarter", "year", "authority", "team", "caseworker",
              "adviser", "organisation")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="timeliness report, charts, SEN2 return")
    commands = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
    timeliness = commands.add_parser(
        "timeliness", help="every timeliness measure for a period, by month/team/adviser..."
    )
    _period_options(timeliness)
    timeliness.add_argument("--by", choices=BY_CHOICES, default="month",
                            help="the breakdown shown (xlsx always holds every breakdown)")
    timeliness.add_argument("--format", choices=("table", "csv", "xlsx", "json"),
                            default="table")
    timeliness.add_argument("--out", type=Path, help="write to this file (xlsx needs one)")
    timeliness.set_defaults(handler=guarded(show_timeliness))
    charts = commands.add_parser("charts", help="committee charts as PNG and SVG")
    _period_options(charts)
    charts.add_argument("--out", type=Path, required=True, help="the directory to write into")
    charts.set_defaults(handler=guarded(write_charts))
    sen2 = commands.add_parser("sen2", help="the SEN2 person-level return (XML or workbook)")
    sen2.add_argument("--year", type=int, required=True, help="collection year, e.g. 2026")
    sen2.add_argument("--la", required=True, help="the local authority (ONS code)")
    sen2.add_argument("--lea", required=True, help="its three-digit DfE LA number (header)")
    sen2.add_argument("--format", choices=("xml", "xlsx"), default="xml")
    sen2.add_argument("--out", type=Path, required=True, help="the file to write")
    sen2.add_argument("--validation", type=Path,
                      help="also write the validation report here (it always goes to stderr)")
    add_user_option(sen2)
    sen2.set_defaults(handler=guarded(export_sen2))


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", type=iso_date, required=True,
                        help="first day of the period (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", type=iso_date, required=True,
                        help="last day of the period")
    parser.add_argument("--as-at", type=iso_date,
                        help="as the system knew it at the end of this day (events recorded "
                             "later, corrections included, are left out)")
    parser.add_argument("--la", help="only this local authority")
    parser.add_argument("--team", help="only this team's cases")
    parser.add_argument("--targets", type=Path,
                        help="targets YAML (default: $EHC_TIMELINESS_TARGETS_FILE, if set)")


def build_report(args: argparse.Namespace) -> TimelinessReport:
    """The report the period options ask for (shared by the timeliness and charts commands)."""
    from services.reporting import load_targets, timeliness_report

    rt = runtime()
    targets = load_targets(args.targets or rt.settings.timeliness_targets_file)
    return timeliness_report(
        store(), start=args.start, end=args.end, as_of=rt.today(), as_at=args.as_at,
        la_code=args.la, team=args.team, targets=targets,
    )


def show_timeliness(args: argparse.Namespace) -> int:
    from reports import tables

    if args.format == "xlsx" and args.out is None:
        return fail("--format xlsx needs --out FILE", 2)
    report = build_report(args)
    if args.format == "xlsx":
        from reports.workbook import write_timeliness

        write_timeliness(report, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
        return 0
    if args.format == "table" and args.out is None:
        _print_table(report, args.by)
        return 0
    text = (
        tables.to_json(report, args.by) if args.format == "json"
        else tables.to_csv(tables.records(report, args.by)) if args.format == "csv"
        else tables.to_markdown(report, args.by)
    )
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _print_table(report: TimelinessReport, by: str) -> None:
    from rich import box
    from rich.table import Table

    from reports.tables import on_time_text, records

    known = f"; as known at the end of {report.as_of}" if report.known_by else ""
    table = Table(box=box.SIMPLE_HEAD, title=(
        f"{', '.join(report.authorities) or 'no cases'}: {report.start} to {report.end}; "
        f"open cases judged {report.as_of}{known}; {report.cases} cases"
    ))
    for column in (by, "measure", "on time", "counted", "% / weeks", "exceptions", "target",
                   "RAG"):
        table.add_column(column, justify="left" if column in (by, "measure", "RAG") else "right")
    for row in records(report, by):  # type: ignore[arg-type]
        table.add_row(
            row["group"], row["label"], on_time_text(row), str(row["denominator"]),
            "-" if row["value"] is None else f"{row['value']:.1f}", str(row["exceptions"]),
            "-" if row["target"] is None else f"{row['target']:g}", row["rag"] or "-",
        )
    console().print(table)
    console().print(
        "Completed steps count in the period they were completed (new plans in the year "
        "issued); phase transfers by their statutory date; overdue reviews and open "
        "assessments at each period's end. 'Exceptions' were left out of the rate. "
        "See docs/reporting.md."
    )


def write_charts(args: argparse.Namespace) -> int:
    from reports.charts import draw_all

    if args.out.exists() and not args.out.is_dir():
        return fail(f"--out {args.out} is a file, not a directory", 2)
    for chart in draw_all(build_report(args), args.out):
        print(f"{chart.png}\t{chart.svg}\t{chart.title}")
    return 0


def export_sen2(args: argparse.Namespace) -> int:
    from services.sen2 import sen2_return

    result = sen2_return(store(), year=args.year, la_code=args.la, lea=args.lea,
                         actor=actor(args), created=runtime().now())
    if args.format == "xml":
        args.out.write_bytes(result.xml)
    else:
        from reports.sen2_workbook import write_sen2_workbook

        write_sen2_workbook(result.people, result.issues, args.out)
    header = "case\tseverity\trule\tmodule/item\tmessage\n"
    report = header + "".join(issue.line() + "\n" for issue in result.issues)
    if args.validation is not None:
        args.validation.write_text(report, encoding="utf-8")
    sys.stderr.write(report)
    queries = len(result.issues) - result.errors
    print(f"wrote {args.out}: SEN2 {result.collection.year} (census "
          f"{result.collection.census}), {len(result.people)} children; {result.errors} "
          f"errors, {queries} queries", file=sys.stderr)
    if result.errors:
        return fail(f"{result.errors} validation errors: correct them before submitting")
    return 0
