"""(c) The nightly sweep (``ehc sweep``, the real Prefect flow) over the demo LA or over
100,000 open cases, on SQLite or PostgreSQL, into a real SMTP server that counts.

    .venv/bin/python -m bench.sweep --dataset demo --backend sqlite
    .venv/bin/python -m bench.sweep --dataset open --cases 100000 --backend postgres
        [--as-of 2026-11-23] [--steps dry,first,again,next] [--rebuild]

The database is built once and cached (SQLite: a file under ``.data/bench``; PostgreSQL:
a template database on the server at ``EHC_BENCH_POSTGRES_URL``, default
127.0.0.1:5432), then every run starts from a fresh copy, so the first night is always a
first night. Steps, each a separate ``ehc sweep`` process in ephemeral Prefect mode (one
Prefect home kept for the whole run, as on a real server):

    dry    ``--dry-run``: decide and render, record and send nothing
    first  the first night: every breach ever missed is escalated at once (catch-up)
    again  the same night again: must decide and send nothing new
    next   the following night: the steady state
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.harness import (
    HEADER,
    REPO,
    Result,
    ehc,
    machine,
    measure,
    postgres_create,
    postgres_drop,
    postgres_exists,
    run_env,
    smtp_sink,
)

CACHE = REPO / ".data" / "bench"
STEPS = ("dry", "first", "again", "next")


def main() -> None:
    args = _arguments()
    size = args.cases if args.dataset == "open" else "default"
    key = f"{args.dataset}-{size}-s{args.seed}-{args.as_of:%Y%m%d}"
    results: list[tuple[Result, str]] = []
    build = _build(args, key)
    if build is not None:
        results.append((build, _build_note(build)))
    with tempfile.TemporaryDirectory(prefix="ehc-bench-sweep-") as scratch:
        url, cleanup = _fresh_copy(args.backend, key, Path(scratch))
        try:
            results += _nights(args, url, Path(scratch))
        finally:
            cleanup()
    print(f"machine: {machine()}")
    print(f"dataset: {key}, backend: {args.backend}\n")
    print(HEADER.replace(" |\n", " | what |\n", 1) + "---|")
    for result, note in results:
        print(f"{result.row()} {note} |")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=("demo", "open"), default="demo")
    parser.add_argument("--cases", type=int, default=100_000, help="for --dataset open")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached database")
    args = parser.parse_args()
    args.seed = args.seed if args.seed is not None else (2026 if args.dataset == "demo" else 7)
    args.steps = [s for s in args.steps.split(",") if s]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {sorted(unknown)}; known: {', '.join(STEPS)}")
    return args


# --- the cached database ------------------------------------------------------------------


def _template_name(key: str) -> str:
    return "ehc_bench_tpl_" + re.sub(r"[^a-z0-9]+", "_", key.lower())


def _build(args: argparse.Namespace, key: str) -> Result | None:
    """Build the cached database unless it exists; the build's measurement, if built."""
    if args.backend == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"{key}.sqlite3"
        if path.exists() and not args.rebuild:
            return None
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        name = _template_name(key)
        if postgres_exists(name) and not args.rebuild:
            return None
        url = postgres_create(name)
    with tempfile.TemporaryDirectory(prefix="ehc-bench-build-") as data_dir:
        env = run_env(EHC_DATABASE_URL=url, EHC_DATA_DIR=data_dir)
        if args.dataset == "demo":
            command = ehc("demo", "--seed", str(args.seed), "--as-of", args.as_of.isoformat())
        else:
            command = [str(Path(ehc()[0]).with_name("python")), "-m", "bench.build_open",
                       "--url", url, "--cases", str(args.cases), "--seed", str(args.seed),
                       "--as-of", args.as_of.isoformat()]
        result = measure(f"build: load {key} ({args.backend})", command, env)
    if result.returncode != 0:
        raise SystemExit(f"building the database failed:\n{result.output}")
    return result


def _build_note(result: Result) -> str:
    summary = [line for line in result.output.splitlines() if " cases" in line]
    return summary[-1][:160] if summary else ""


def _fresh_copy(backend: str, key: str, scratch: Path) -> tuple[str, Callable[[], None]]:
    """A copy of the cached database for one run, and how to remove it."""
    if backend == "sqlite":
        copy = scratch / "run.sqlite3"
        shutil.copyfile(CACHE / f"{key}.sqlite3", copy)
        return f"sqlite:///{copy}", lambda: None
    name = f"ehc_bench_run_{scratch.name[-8:].lower()}"
    url = postgres_create(name, template=_template_name(key))
    return url, lambda: postgres_drop(name)


# --- the nights ---------------------------------------------------------------------------


def _nights(args: argparse.Namespace, url: str, scratch: Path) -> list[tuple[Result, str]]:
    found: list[tuple[Result, str]] = []
    next_day = args.as_of + dt.timedelta(days=1)
    plan = {
        "dry": ("dry run", args.as_of, ["--dry-run"]),
        "first": ("first night", args.as_of, []),
        "again": ("same night again", args.as_of, []),
        "next": ("next night", next_day, []),
    }
    prefect_home = CACHE / "prefect-home"
    prefect_home.mkdir(parents=True, exist_ok=True)
    with smtp_sink() as (port, sink):
        env = run_env(EHC_DATABASE_URL=url, EHC_DATA_DIR=str(scratch),
                      PREFECT_HOME=str(prefect_home), EHC_SMTP_HOST="127.0.0.1",
                      EHC_SMTP_PORT=str(port))
        for step in args.steps:
            label, day, extra = plan[step]
            before = sink.count
            result = measure(f"sweep {label} ({day}, {args.backend})",
                             ehc("sweep", "--as-of", day.isoformat(), *extra), env)
            if result.returncode != 0:
                raise SystemExit(f"{result.command} failed:\n{result.output[-3000:]}")
            found.append((result, _sweep_note(result.output, sink.count - before)))
    return found


def _sweep_note(output: str, received: int) -> str:
    decided = sum(int(n) for n in re.findall(r"decided (\d+)", output))
    emails = sum(int(n) for n in re.findall(r"emails recorded (\d+)", output))
    would = output.count("would send:")
    parts = [f"{decided:,} escalations decided"]
    if would:
        parts.append(f"{would:,} emails would be sent")
    else:
        parts.append(f"{emails:,} emails recorded, {received:,} received by the SMTP server")
    return "; ".join(parts)


if __name__ == "__main__":
    main()
