"""(b) ``ehc demo``: the README's main command, into a fresh database, then again.

    .venv/bin/python -m bench.demo_load [--scale default] [--seed 2026] [--as-of D]
                                       [--postgres]

Each run is a real ``ehc demo`` process (fresh SQLite data directory; with
``--postgres`` also a scratch database on the server at ``EHC_BENCH_POSTGRES_URL``,
default 127.0.0.1:5432, created and dropped here). The second run of the same demo must
add nothing; its time is what a re-run of the README costs.
"""

from __future__ import annotations

import argparse
import tempfile
import uuid

from bench.harness import (
    HEADER,
    Result,
    demo_options,
    ehc,
    machine,
    measure_ok,
    postgres_create,
    postgres_drop,
    run_env,
)


def runs(label: str, env: dict[str, str], args: argparse.Namespace) -> list[Result]:
    command = ehc("demo", "--seed", str(args.seed), "--as-of", args.as_of.isoformat(),
                  "--scale", args.scale)
    return [measure_ok(f"ehc demo ({args.scale}), {label}, {attempt}", command, env)
            for attempt in ("fresh", "again")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    demo_options(parser)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="ehc-bench-demo-") as data_dir:
        results += runs("SQLite", run_env(EHC_DATA_DIR=data_dir), args)
        summary = results[0].output
    if args.postgres:
        name = f"ehc_bench_demo_{uuid.uuid4().hex[:8]}"
        url = postgres_create(name)
        try:
            with tempfile.TemporaryDirectory(prefix="ehc-bench-demo-") as data_dir:
                env = run_env(EHC_DATA_DIR=data_dir, EHC_DATABASE_URL=url)
                results += runs("PostgreSQL", env, args)
        finally:
            postgres_drop(name)
    print(f"machine: {machine()}\n")
    print(summary.strip(), "\n")
    print(HEADER)
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
