"""The timeliness report as flat records, and as CSV, JSON and a Markdown table.

One record per group and measure, with real numbers (``None`` where a figure has no
base) and ISO dates; the CLI, the workbook, the charts and the weekly flow all read the
report through these records, so every output shows the same figures.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engine.measures import BY_KEY, Grouping, period_bounds

if TYPE_CHECKING:
    from services.reporting import TimelinessReport

COLUMNS = (
    "group", "period_start", "period_end", "measure", "label", "numerator", "denominator",
    "exceptions", "value", "target", "rag",
)
BREACH_COLUMNS = (
    "case", "authority", "team", "caseworker", "request_on", "due", "issued_on", "cause",
    "late_steps", "explanation",
)


def records(report: TimelinessReport, by: Grouping) -> list[dict[str, Any]]:
    """The rows of one breakdown as dicts keyed by ``COLUMNS``."""
    out = []
    for row in report.breakdowns[by]:
        bounds = period_bounds(by, row.group)
        if bounds is None and by == "total":
            bounds = (report.start, report.end)
        out.append({
            "group": row.group,
            "period_start": bounds[0] if bounds else None,
            "period_end": bounds[1] if bounds else None,
            "measure": row.measure,
            "label": row.label,
            "numerator": row.numerator,
            "denominator": row.denominator,
            "exceptions": row.exceptions,
            "value": None if row.value is None else round(row.value, 1),
            "target": row.target,
            "rag": row.rag,
        })
    return out


def breach_records(report: TimelinessReport) -> list[dict[str, Any]]:
    return [
        {
            "case": b.case, "authority": b.authority, "team": b.team,
            "caseworker": b.caseworker, "request_on": b.request_on, "due": b.due,
            "issued_on": b.issued_on, "cause": b.cause, "late_steps": "; ".join(b.late_steps),
            "explanation": b.explanation,
        }
        for b in report.breaches
    ]


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else _text(row[k]) for k in columns})
    return buffer.getvalue()


def to_json(report: TimelinessReport, by: Grouping) -> str:
    document = {
        "period": {"from": report.start, "to": report.end},
        "as_of": report.as_of,
        "known_by": report.known_by,
        "authorities": list(report.authorities),
        "cases": report.cases,
        "by": by,
        "rows": records(report, by),
        "open_assessments_by_week": {str(k): v for k, v in report.ageing.items()},
        "breaches_20_weeks": breach_records(report),
        "measures": [
            {"key": m.key, "label": m.label, "basis": m.basis, "numerator": m.numerator,
             "denominator": m.denominator, "period_date": m.period_date,
             "exceptions": m.exceptions, "statistic": m.statistic}
            for m in report.measures
        ],
    }
    return json.dumps(document, indent=2, default=_text) + "\n"


def to_markdown(report: TimelinessReport, by: Grouping) -> str:
    """A Markdown table of one breakdown (the Prefect artifact, the README)."""
    lines = [
        "| group | measure | on time / counted | % or weeks | exceptions | target | RAG |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in records(report, by):
        value = "-" if row["value"] is None else f"{row['value']:.1f}"
        target = "-" if row["target"] is None else f"{row['target']:g}"
        lines.append(
            f"| {row['group']} | {row['label']} | {on_time_text(row)} / {row['denominator']} "
            f"| {value} | {row['exceptions']} | {target} | {row['rag'] or '-'} |"
        )
    return "\n".join(lines) + "\n"


def on_time_text(row: dict[str, Any]) -> str:
    """The numerator as shown: an average has none ("-")."""
    return "-" if BY_KEY[row["measure"]].statistic == "mean_weeks" else str(row["numerator"])


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
