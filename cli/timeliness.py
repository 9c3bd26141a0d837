"""``ehc timeliness``: the figures a SEND service is judged on, counted as SEN2 counts them."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from rich import box
from rich.table import Table

from cli.common import console, fail, guarded, iso_date
from cli.today import london_today
from db.session import unit_of_work
from db.timeliness import measured_deadlines
from engine.timeliness import timeliness

LABELS = {
    "decision_6_weeks": "decisions whether to assess within 6 weeks (R01)",
    "advice_6_weeks": "advice within 6 weeks (R02)",
    "plan_20_weeks": "final plans within 20 weeks (R06)",
    "review_decision_4_weeks": "review decisions within 4 weeks (R11)",
    "amendment_12_weeks": "amended plans within 12 weeks of the meeting (R12c)",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "timeliness",
        help="timeliness figures (6-week decisions, 20-week plans...) for a period",
    )
    parser.add_argument("--year", type=int,
                        help="calendar year the deadlines were met in (default: this year)")
    parser.add_argument("--from", dest="start", type=iso_date, help="first day of the period")
    parser.add_argument("--to", dest="end", type=iso_date, help="last day of the period")
    parser.add_argument("--la", help="only this local authority")
    parser.add_argument("--team", help="only this team's cases")
    parser.add_argument("--as-of", type=iso_date,
                        help="judge open deadlines on this day (default: today in England)")
    parser.set_defaults(handler=guarded(show_timeliness))


def show_timeliness(args: argparse.Namespace) -> int:
    as_of: dt.date = args.as_of or london_today()
    year = args.year or as_of.year
    start = args.start or dt.date(year, 1, 1)
    end = args.end or dt.date(year, 12, 31)
    if end < start:
        return fail(f"the period ends ({end}) before it starts ({start})", 2)
    with unit_of_work() as session:
        deadlines = measured_deadlines(session, la_code=args.la, team=args.team)
    figures = timeliness(deadlines, start, end, as_of)
    table = Table(box=box.SIMPLE_HEAD, title=f"Completed {start} to {end}; open judged {as_of}")
    for column in ("measure", "completed", "on time", "% excl. exceptions",
                   "% incl. exceptions", "exceptions", "open and overdue now"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for measure, figure in figures.items():
        table.add_row(LABELS[measure], str(figure.completed), str(figure.on_time),
                      _pct(figure.rate_excluding_exceptions),
                      _pct(figure.rate_including_exceptions),
                      str(figure.with_exception), str(figure.still_open_overdue))
    console().print(table)
    console().print(
        "Counted by the date each deadline was met. A recorded exception removes a case from "
        "the headline rate (excl.); in the other rate it is on time only if it really was. "
        "'Within N weeks' means on or before the trigger + 7N days (T1)."
    )
    return 0


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1f}%"

