"""``ehc timeliness``: the figures a SEND service is judged on, counted as SEN2 counts them."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from cli.common import console, guarded, iso_date, store, today


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
    parser.add_argument("--caseworker", help="only this caseworker's cases (username)")
    parser.add_argument("--as-of", type=iso_date,
                        help="judge open deadlines on this day (default: today in England)")
    parser.set_defaults(handler=guarded(show_timeliness))


def show_timeliness(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table

    from services.timeliness import LABELS, figures

    as_of = today(args)
    year = args.year or as_of.year
    start = args.start or dt.date(year, 1, 1)
    end = args.end or dt.date(year, 12, 31)
    found = figures(store(), start=start, end=end, as_of=as_of, la_code=args.la,
                    team=args.team, caseworker=args.caseworker)
    table = Table(box=box.SIMPLE_HEAD, title=f"Completed {start} to {end}; open judged {as_of}")
    for column in ("measure", "completed", "on time", "% excl. exceptions",
                   "% incl. exceptions", "exceptions", "open and overdue now"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for measure, figure in found.items():
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

