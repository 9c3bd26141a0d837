"""``bench/run --smoke`` runs every benchmark at a tiny size (seconds) and writes its
results file, so the benchmark cannot rot; the real figures are in bench/RESULTS.md."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIGURES = ("engine: project_deadlines", "import, SQLite, 40 cases", "import, PostgreSQL, 40 cases",
           "sweep floor: bare indexed query", "SQLite, 40 cases: first night",
           "SQLite, 40 cases: same night again", "SQLite, 40 cases: next night",
           "record one event, SQLite, 40 cases: p50",
           "record one event, PostgreSQL, 40 cases: p99",
           "rebuild all projections, SQLite", "rebuild all projections, PostgreSQL",
           "decide+record, PostgreSQL, 40 cases, 1 authority: next night |",
           "decide+record, PostgreSQL, 60 cases, 3 authorities: first night",
           "PostgreSQL, 60 cases, 3 authorities: next night with delivery",
           "3 authorities: peak RSS",
           "delivery: bare smtplib loop", "delivery: outbox, 1 connection",
           "delivery: outbox, 4 connections", "ehc --help", "ehc event add")


@pytest.mark.smtp
def test_bench_run_smoke_measures_every_figure(tmp_path):
    out = tmp_path / "RESULTS.md"
    subprocess.run([str(REPO / "bench" / "run"), "--smoke", "--out", str(out)], cwd=REPO,
                   check=True, capture_output=True, timeout=600)
    text = out.read_text()
    assert "- machine: " in text
    assert re.search(r"- commit: [0-9a-f]{7,}", text)
    for figure in FIGURES:
        [row] = [line for line in text.splitlines() if figure in line]
        assert re.search(r"\| [\d,.]+ (us/history|events/s|s|msg/s|ms|MiB) \|", row), row
    assert "x the floor" in text
