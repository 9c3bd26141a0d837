"""The national night, the Prefect way, for real: a Prefect server on 127.0.0.1, the
``sweep-authority`` deployment from prefect.yaml, two process workers, and the parent
``nightly-fanout`` run twice (a re-run, or a second scheduler). Each authority's night is
run once between the two workers, and each email arrives once. PostgreSQL, a real SMTP
server. About a minute: the server and every flow run are real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from notify_fixtures import free_port, limit, put_case, seed_authority
from sqlalchemy import select

from db.notify_schema import OutboxRow
from db.session import make_engine, unit_of_work

pytestmark = [pytest.mark.prefect, pytest.mark.postgres, pytest.mark.smtp]
REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")
CODES = ("E10000011", "E10000012", "E10000013", "E10000014")
PARENT = ("import datetime as dt\nfrom flows.fanout import nightly_fanout\n"
          "nightly_fanout(as_of=dt.date(2026, 6, 22))\n")


def api(base: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"}, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def ran(log: str, runs: list[dict]) -> set[str]:
    """The runs a worker took and kept (a worker that loses the race for a run says
    "Aborted submission" and leaves it to the other)."""
    return {r["id"] for r in runs if f"submitting flow run '{r['id']}'" in log
            and f"Aborted submission of flow run '{r['id']}'" not in log}


def test_a_night_over_four_authorities_is_done_once_between_two_workers(
    postgres_url, smtp_sink, tmp_path
):
    for code in CODES:
        seed_authority(postgres_url, la_code=code, prefix=f"{code.lower()}-")
        for n in range(2):
            put_case(postgres_url, f"{code}-{n}", [limit("final_plan_due", "2026-06-19")],
                     caseworker=f"{code.lower()}-cw1", la_code=code)
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_API_URL=base,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_WORKER_QUERY_SECONDS="1", EHC_DATABASE_URL=postgres_url,
               EHC_SMTP_HOST=smtp_sink.host, EHC_SMTP_PORT=str(smtp_sink.port),
               EHC_MAIL_FROM="EHC timescales <ehc@council.example>")

    def run(*args: str) -> None:
        subprocess.run(args, cwd=REPO, env=env, check=True, timeout=120,
                       stdout=subprocess.DEVNULL)

    processes: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / f"worker-{n}.log" for n in (1, 2)]
    outputs = [log.open("wb") for log in logs]
    try:
        processes.append(subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: api(base, "/health"), 150, "the Prefect server")
        run(PREFECT, "work-pool", "create", "ehc-process", "--type", "process")
        run(PREFECT, "gcl", "create", "ehc-database", "--limit", "2")
        run(PREFECT, "concurrency-limit", "create", "smtp-relay", "1")
        run(PREFECT, "--no-prompt", "deploy", "--name", "sweep-authority")
        for n, output in enumerate(outputs, 1):
            processes.append(subprocess.Popen(
                [PREFECT, "worker", "start", "--pool", "ehc-process", "--limit", "1",
                 "--name", f"worker-{n}"],
                cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT))
        for _ in range(2):  # the parent, and its re-run: nothing is created twice
            run(sys.executable, "-c", PARENT)

        def finished():
            runs = [r for r in api(base, "/flow_runs/filter", {})
                    if r["deployment_id"] is not None]
            done = all(r["state_type"] in ("COMPLETED", "FAILED", "CRASHED") for r in runs)
            return runs if len(runs) >= len(CODES) and done else None

        runs = wait_for(finished, 300, "every authority's run")
    finally:
        for process in reversed(processes):  # the workers before the server
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(30)
        for output in outputs:
            output.close()

    assert sorted(r["parameters"]["la_code"] for r in runs) == sorted(CODES)  # once each
    assert {r["state_type"] for r in runs} == {"COMPLETED"}
    ran_by = [ran(log.read_text(), runs) for log in logs]
    assert all(ran_by), "both workers ran some of the night"
    assert not ran_by[0] & ran_by[1]
    assert ran_by[0] | ran_by[1] == {r["id"] for r in runs}

    engine = make_engine(postgres_url)
    with unit_of_work(engine) as session:
        rows = list(session.scalars(select(OutboxRow)))
    engine.dispose()
    ids = smtp_sink.message_ids()
    assert len(rows) == 2 * 2 * len(CODES)  # caseworker and manager of each case
    assert {r.status for r in rows} == {"sent"}
    assert sorted(ids) == sorted(r.message_id for r in rows)  # each arrived once
