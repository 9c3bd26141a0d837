"""A measured figure: repeated runs, reported as median (min-max), with its ratio to a
floor (the same work done the barest way on the same machine in the same run)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    label: str
    unit: str
    values: list[float]
    higher_is_better: bool = False
    floor: Figure | None = None
    target: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def ratio(self) -> str:
        """How many times the floor's cost this is (1.0: as fast as the floor)."""
        if self.floor is None:
            return ""
        cost = self.floor.median / self.median if self.higher_is_better else \
            self.median / self.floor.median
        return f"{cost:.2f}x the floor"

    def row(self) -> str:
        runs = f"{len(self.values)}"
        spread = f"{_fmt(min(self.values))}-{_fmt(max(self.values))}"
        return (f"| {self.label} | {_fmt(self.median)} {self.unit} | {spread} | {runs} | "
                f"{self.ratio()} | {self.target} |")


HEADER = ("| figure | median | min-max | runs | ratio | target |\n"
          "|---|---|---|---|---|---|")


def runs_of(n: int, measure: Callable[[], float]) -> list[float]:
    return [measure() for _ in range(n)]


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
