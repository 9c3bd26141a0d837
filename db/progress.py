"""How a long job reports how far it has got: ``progress(done, total)`` after each step,
so an entry point can draw a bar (the store itself never prints)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]


def silent(done: int, total: int) -> None:
    """The default: report to no one."""
