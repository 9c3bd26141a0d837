"""Committee charts (matplotlib, Agg: no display needed), each as PNG and SVG.

Every chart is drawn from the report's own rows and returned with the series it drew
(``Chart.data``), so what a committee paper shows can be traced to the table beside it.

* ``trend``: new plans within 20 weeks (excluding exceptions) month by month, against the
  authority's target trajectory;
* ``advice``: advice within 6 weeks by adviser type;
* ``ageing``: open assessments by weeks since the request (the breaches that are coming);
* ``bands``: new plans per month within 20 weeks, 20 weeks to a year, over a year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

if TYPE_CHECKING:
    from services.reporting import Row, TimelinessReport

GREEN, AMBER, RED, BLUE, GREY = "#00703c", "#f47738", "#d4351c", "#1d70b8", "#505a5f"


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: Path
    svg: Path
    data: Mapping[str, Sequence[Any]]


def _rows(report: TimelinessReport, by: str, measure: str) -> list[Row]:
    return [r for r in report.breakdowns[by] if r.measure == measure]  # type: ignore[index]


def draw_all(report: TimelinessReport, out: Path) -> list[Chart]:
    """Write the four charts into ``out`` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    where = f"{', '.join(report.authorities) or 'no cases'}, {report.start} to {report.end}"
    return [
        _trend(report, out, where), _advice(report, out, where), _ageing(report, out),
        _bands(report, out, where),
    ]


def _save(fig: Figure, out: Path, name: str, title: str, data: Mapping[str, Sequence[Any]]
          ) -> Chart:
    fig.tight_layout()
    png, svg = out / f"{name}.png", out / f"{name}.svg"
    fig.savefig(png, dpi=150)
    fig.savefig(svg)
    plt.close(fig)
    return Chart(name, title, png, svg, data)


def _trend(report: TimelinessReport, out: Path, where: str) -> Chart:
    rows = _rows(report, "month", "plan_20_weeks_excl")
    months = [r.group for r in rows]
    values = [r.value for r in rows]
    targets = [r.target for r in rows]
    title = "New EHC plans within 20 weeks (excluding exceptions)"
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(months, [v if v is not None else float("nan") for v in values], marker="o",
            color=BLUE, label="% within 20 weeks")
    if any(t is not None for t in targets):
        ax.step(months, [t if t is not None else float("nan") for t in targets], where="mid",
                color=GREY, linestyle="--", label="target")
    for month, row in zip(months, rows, strict=True):
        if row.value is not None and row.rag is not None:
            ax.scatter([month], [row.value], s=90, zorder=3,
                       color={"green": GREEN, "amber": AMBER, "red": RED}[row.rag])
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title(f"{title}\n{where}", fontsize=10)
    ax.legend(loc="lower right")
    ax.tick_params(axis="x", rotation=45)
    data: dict[str, Sequence[Any]] = {
        "month": months, "percent": values, "target": targets,
        "plans": [r.denominator for r in rows],
    }
    return _save(fig, out, "trend", title, data)


def _advice(report: TimelinessReport, out: Path, where: str) -> Chart:
    rows = sorted(_rows(report, "adviser", "advice_6_weeks"), key=lambda r: r.value or 0)
    title = "Advice within 6 weeks, by adviser"
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.5 * len(rows) + 1.5)))
    names = [r.group.replace("_", " ") for r in rows]
    ax.barh(names, [r.value or 0 for r in rows], color=BLUE)
    for n, row in enumerate(rows):
        ax.text(1, n, f"{row.numerator}/{row.denominator}", va="center", color="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of advice received within 6 weeks")
    ax.set_title(f"{title}\n{where}", fontsize=10)
    data: dict[str, Sequence[Any]] = {
        "adviser": [r.group for r in rows], "percent": [r.value for r in rows],
        "requests": [r.denominator for r in rows],
    }
    return _save(fig, out, "advice", title, data)


def _ageing(report: TimelinessReport, out: Path) -> Chart:
    weeks = list(report.ageing)
    counts = [report.ageing[w] for w in weeks]
    labels = [str(w) if w < 20 else "20+" for w in weeks]
    title = "Open assessments by weeks since the request"
    fig, ax = plt.subplots(figsize=(9, 4))
    colours = [RED if w >= 20 else AMBER if w >= 16 else BLUE for w in weeks]
    ax.bar(labels, counts, color=colours)
    ax.set_xlabel("completed weeks of the 20-week clock (20+ = already past 20 weeks)")
    ax.set_ylabel("open assessments")
    ax.set_title(f"{title} on {report.snapshot_day}", fontsize=10)
    return _save(fig, out, "ageing", title, {"week": weeks, "open": counts})


def _bands(report: TimelinessReport, out: Path, where: str) -> Chart:
    months = [r.group for r in _rows(report, "month", "plan_20_weeks_incl")]
    series = {}
    for key, measure in (("within_20_weeks", "plan_20_weeks_incl"),
                         ("20_to_52_weeks", "plan_20_to_52_weeks"),
                         ("over_52_weeks", "plan_over_52_weeks")):
        by_month = {r.group: r.numerator for r in _rows(report, "month", measure)}
        series[key] = [by_month.get(m, 0) for m in months]
    title = "New EHC plans by time taken"
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = [0] * len(months)
    for (key, values), colour in zip(series.items(), (GREEN, AMBER, RED), strict=True):
        ax.bar(months, values, bottom=bottom, color=colour, label=key.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("plans issued")
    ax.set_title(f"{title}\n{where}", fontsize=10)
    ax.legend()
    ax.tick_params(axis="x", rotation=45)
    return _save(fig, out, "bands", title, {"month": months, **series})
