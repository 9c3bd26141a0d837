"""Use case: the weekly timeliness summary for one authority, emailed to its managers.

The figures are ``services.reporting``'s for the twelve months to ``as_of``; the charts
are drawn from them; the emails go through the outbox (recorded once per recipient and
week, then delivered like every other email).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from db.outbox import record_emails
from db.reporting import report_recipients
from db.session import unit_of_work
from engine.targets import Targets
from notifications.deliver import DeliveryReport, deliver_authority
from notifications.settings import NotifySettings
from notifications.transport import EmailTransport
from notifications.weekly import Figure, WeeklyNotice, attachment, weekly_emails
from reports.charts import draw_all
from services.errors import translated
from services.reporting import TimelinessReport, timeliness_report

SUMMARY_MEASURES = (
    "plan_20_weeks_excl", "plan_20_weeks_incl", "plan_average_weeks", "decision_6_weeks",
    "advice_6_weeks", "review_decision_4_weeks", "amendment_12_weeks", "reviews_overdue",
    "open_assessments_past_20_weeks",
)


@dataclass(frozen=True)
class WeeklyRun:
    report: TimelinessReport
    emails_recorded: int
    delivery: DeliveryReport


def twelve_months_to(day: dt.date) -> dt.date:
    """The first day of the month eleven months before ``day``'s month."""
    year, month = divmod(day.year * 12 + day.month - 1 - 11, 12)
    return dt.date(year, month + 1, 1)


def send_weekly_summary(
    engine: Engine,
    la_code: str,
    as_of: dt.date,
    settings: NotifySettings,
    *,
    targets: Mapping[str, Targets] | None = None,
    now: dt.datetime,
    transport: EmailTransport | None = None,
) -> WeeklyRun:
    """Count, draw, record the emails and deliver them (re-running the same week sends
    nothing new).

    Raises:
        NotFound: an unknown authority.
    """
    start = twelve_months_to(as_of)
    report = timeliness_report(engine, start=start, end=as_of, as_of=as_of, la_code=la_code,
                               targets=targets)
    with translated(), unit_of_work(engine) as session:
        la_id, la_name, recipients = report_recipients(session, la_code)
    with tempfile.TemporaryDirectory() as folder:
        drawn = draw_all(report, Path(folder))
        charts = [attachment(chart.png.name, chart.png.read_bytes()) for chart in drawn]
    rows = {r.measure: r for r in report.breakdowns["total"]}
    figures = tuple(
        Figure(rows[m].label, rows[m].numerator, rows[m].denominator, rows[m].value,
               rows[m].target, rows[m].rag)
        for m in SUMMARY_MEASURES if m in rows
    )
    notice = WeeklyNotice(la_code, la_name, as_of, start, as_of, figures, tuple(charts),
                          recipient_role="")
    emails = weekly_emails(la_id, notice, recipients, settings)
    with translated(), unit_of_work(engine, write=True) as session:
        _, recorded = record_emails(session, [], emails, now=now)
    with translated():
        delivery = deliver_authority(engine, la_code, settings, transport=transport)
    return WeeklyRun(report, recorded, delivery)
