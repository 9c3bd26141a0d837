"""Each authority's target trajectory per measure, and red/amber/green against it.

Improvement plans set targets that step up over time ("EHCP timeliness at 60% at 3
months, 75% at 6, 100% at 12"): a trajectory is a list of ``(from, target)`` steps, the
target in force on a day being the last step on or before it. A figure is green at or
beyond its target, amber within ``amber_points`` percentage points short of it, red
beyond that. Parsing is pure (the data comes from YAML read by the services layer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from engine.measures import BY_KEY

Rag = Literal["green", "amber", "red"]
DEFAULT_AMBER_POINTS = 10.0


class InvalidTargets(ValueError):
    """The targets data is malformed; the message says where."""


@dataclass(frozen=True)
class Step:
    since: dt.date
    target: float


@dataclass(frozen=True)
class Targets:
    """One authority's trajectories (measure key -> steps, oldest first)."""

    trajectories: Mapping[str, tuple[Step, ...]]
    amber_points: float = DEFAULT_AMBER_POINTS

    def target_on(self, measure: str, day: dt.date) -> float | None:
        """The target for ``measure`` in force on ``day`` (None: no target set yet)."""
        current = None
        for step in self.trajectories.get(measure, ()):
            if step.since <= day:
                current = step.target
        return current

    def rag(self, measure: str, value: float | None, day: dt.date) -> Rag | None:
        """Red/amber/green for ``value`` against the target on ``day`` (None: no target)."""
        target = self.target_on(measure, day)
        if target is None or value is None:
            return None
        short = target - value if BY_KEY[measure].higher_is_better else value - target
        if short <= 0:
            return "green"
        return "amber" if short <= self.amber_points else "red"


NO_TARGETS = Targets({})


def parse_targets(data: Any) -> dict[str, Targets]:
    """Targets per authority code from data shaped like::

        amber_points: 10
        local_authorities:
          E10000028:
            plan_20_weeks_excl:
              - {from: 2026-01-01, target: 60}
              - {from: 2026-04-01, target: 75}

    Raises:
        InvalidTargets: naming the authority, measure and step at fault.
    """
    if not isinstance(data, Mapping) or not set(data) <= {"amber_points", "local_authorities"}:
        raise InvalidTargets("expected 'local_authorities' (and optionally 'amber_points')")
    amber = _number(data.get("amber_points", DEFAULT_AMBER_POINTS), "amber_points")
    result: dict[str, Targets] = {}
    for code, measures in (data.get("local_authorities") or {}).items():
        if not isinstance(measures, Mapping):
            raise InvalidTargets(f"{code}: expected measures, each with a list of steps")
        trajectories: dict[str, tuple[Step, ...]] = {}
        for measure, steps in measures.items():
            if measure not in BY_KEY:
                raise InvalidTargets(
                    f"{code}: unknown measure {measure!r} (known: {', '.join(BY_KEY)})"
                )
            trajectories[measure] = _steps(f"{code}.{measure}", steps)
        result[str(code)] = Targets(trajectories, amber)
    return result


def _steps(where: str, steps: Any) -> tuple[Step, ...]:
    if not isinstance(steps, list) or not steps:
        raise InvalidTargets(f"{where}: expected a list of {{from, target}} steps")
    parsed = []
    for n, step in enumerate(steps, start=1):
        if not isinstance(step, Mapping) or set(step) != {"from", "target"}:
            raise InvalidTargets(f"{where} step {n}: expected exactly 'from' and 'target'")
        since = step["from"]
        if isinstance(since, str):
            try:
                since = dt.date.fromisoformat(since)
            except ValueError:
                raise InvalidTargets(f"{where} step {n}: malformed date {since!r}") from None
        if not isinstance(since, dt.date):
            raise InvalidTargets(f"{where} step {n}: 'from' must be a date (YYYY-MM-DD)")
        target = _number(step["target"], f"{where} step {n} target")
        if not 0 <= target <= 100:
            raise InvalidTargets(f"{where} step {n}: target {target} is not a percentage")
        parsed.append(Step(since, target))
    return tuple(sorted(parsed, key=lambda s: s.since))


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTargets(f"{where}: expected a number, not {value!r}")
    return float(value)
