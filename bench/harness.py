"""What every benchmark shares: timing a command, its peak memory, scratch databases, and
an SMTP sink that accepts and counts.

Wall time and the peak RSS of the largest process come from GNU ``/usr/bin/time -v``.
Because ``ehc sweep`` starts Prefect's temporary API server as a second process, the
peak *sum* of RSS over the whole process tree is sampled from ``/proc`` as well.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
EHC = str(Path(sys.executable).with_name("ehc"))
ADMIN_URL = os.environ.get(
    "EHC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True)
class Result:
    label: str
    command: str
    wall_s: float
    max_rss_mib: float  # largest single process (GNU time)
    tree_peak_mib: float  # sampled sum over the process tree
    returncode: int
    output: str

    def row(self) -> str:
        return (f"| {self.label} | {self.wall_s:.1f} s | {self.max_rss_mib:.0f} MiB | "
                f"{self.tree_peak_mib:.0f} MiB |")


HEADER = "| run | wall | peak RSS (largest process) | peak RSS (process tree) |\n|---|---|---|---|"


def measure(label: str, argv: Sequence[str], env: dict[str, str] | None = None) -> Result:
    """Run ``argv`` to completion under ``/usr/bin/time -v``; output kept in the result."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing, \
            tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(
            ["/usr/bin/time", "-v", "-o", timing.name, *argv],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO, text=True,
        )
        peak = _sample_tree(process)
        process.wait()
        report = Path(timing.name).read_text()
        out.seek(0)
        output = out.read()
    wall = _field(report, r"Elapsed \(wall clock\) time .*: (\S+)")
    rss_kib = _field(report, r"Maximum resident set size \(kbytes\): (\d+)")
    return Result(label, " ".join(argv), _seconds(wall), int(rss_kib) / 1024, peak / 1024,
                  process.returncode, output)


def measure_ok(label: str, argv: Sequence[str], env: dict[str, str]) -> Result:
    """``measure``, stopping the benchmark with the command's output if it failed."""
    result = measure(label, argv, env)
    if result.returncode != 0:
        raise SystemExit(f"{result.command} failed:\n{result.output[-3000:]}")
    return result


def demo_options(parser: argparse.ArgumentParser) -> None:
    """Which demo authority a benchmark builds (``demo.generate_demo_la``), and where."""
    parser.add_argument("--scale", default="default", choices=("small", "default"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    parser.add_argument("--postgres", action="store_true")


def ehc(*args: str) -> list[str]:
    return [EHC, *args]


def run_env(**settings: str) -> dict[str, str]:
    """The environment for an ``ehc`` child: quiet offline Prefect plus ``settings``."""
    env = dict(os.environ)
    env.update({"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING", "EHC_USER": "bench"})
    env.pop("EHC_DATABASE_URL", None)
    env.update(settings)
    return env


def _field(report: str, pattern: str) -> str:
    match = re.search(pattern, report)
    if not match:
        raise RuntimeError(f"unexpected /usr/bin/time output:\n{report}")
    return match[1]


def _seconds(clock: str) -> float:
    parts = [float(p) for p in clock.split(":")]
    return float(sum(p * 60**i for i, p in enumerate(reversed(parts))))


def _sample_tree(process: subprocess.Popen[str], every: float = 0.1) -> int:
    """Peak summed RSS (KiB) of ``process`` and all its descendants until it exits."""
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_rss_kib(pid) for pid in _descendants(process.pid)))
        time.sleep(every)
    return peak


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- databases ----------------------------------------------------------------------------


def postgres_admin() -> Engine:
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def postgres_url(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def postgres_exists(name: str) -> bool:
    admin = postgres_admin()
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": name}).first()
            return found is not None
    finally:
        admin.dispose()


def postgres_create(name: str, template: str | None = None) -> str:
    """(Re)create database ``name``, empty or as a copy of ``template``; returns its URL."""
    admin = postgres_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()
    return postgres_url(name)


def postgres_drop(name: str) -> None:
    admin = postgres_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# --- an SMTP server that accepts and counts -----------------------------------------------


class _Counting:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[int, _Counting]]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd, in this process): (port, counter)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counter = _Counting()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, counter
    finally:
        controller.stop()


def machine() -> str:
    cores = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return (f"{cores} cores, {total_kib / 1024 / 1024:.0f} GiB RAM, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}")
