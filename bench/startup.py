"""Process start-up: ``ehc --help`` and ``ehc event add`` as a caseworker runs them.

    .venv/bin/python -m bench.startup [--runs 7]

Each command runs ``--runs`` times as its own process (wall clock, median / min / max);
``event add`` records one event per run on a case of a fresh SQLite database.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness import ehc, machine, run_env


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def row(label: str, times: list[float]) -> str:
    return (f"| {label} | {statistics.median(times) * 1000:.0f} ms | "
            f"{min(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms | {len(times)} |")


def measure(runs: int) -> tuple[list[float], list[float]]:
    """Seconds of ``ehc --help`` and of ``ehc event add`` (SQLite), ``runs`` each."""
    with tempfile.TemporaryDirectory() as data:
        env = run_env(EHC_DATA_DIR=data)
        for setup in (["init"], ["staff", "la", "E10000028", "--name", "Staffordshire"],
                      ["staff", "team", "North", "--la", "E10000028"],
                      ["staff", "caseworker", "cw1", "--name", "C W", "--team", "North"],
                      ["case", "open", "B-1", "--process", "review", "--caseworker", "cw1",
                       "--la", "E10000028"]):
            subprocess.run(ehc(*setup), env=env, check=True, capture_output=True)
        helps = [timed(ehc("--help"), env) for _ in range(runs)]
        adds = []
        for run in range(runs):
            day = f"2026-0{1 + run % 9}-1{run % 10}"
            adds.append(timed(ehc("event", "add", "B-1", "review_meeting_held", "--date", day,
                                  "--id", f"bench-{run}"), env))
        assert Path(data).is_dir()
    return helps, adds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    helps, adds = measure(args.runs)
    print(f"{machine()}\n")
    print("| command | median | min | max | runs |\n|---|---|---|---|---|")
    print(row("ehc --help", helps))
    print(row("ehc event add (SQLite)", adds))


if __name__ == "__main__":
    main()
