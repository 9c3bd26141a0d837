"""Page response times: the caseload (``/cases``) and a case page (``/cases/<ref>``) of the
demo authority, served by the real ``ehc serve``, signed in, N sequential requests each.

    scripts/demo --no-serve                    # builds .data/demo and the demo log-ins
    .venv/bin/python -m bench.web_pages [--data-dir .data/demo] [--user USERNAME]
        [--password demo-password-2026] [--requests 200]

``--user`` defaults to the demo's team manager (``demo-manager``: the team's whole
caseload, the bigger list); the case page is the first (most urgent) case of that list.
Prints p50 / p95 / max in milliseconds, measured at the client over loopback.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import time
from pathlib import Path

import httpx

from bench.harness import EHC, REPO, machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_gets(client: httpx.Client, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
    return times


def sign_in(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no log-in form"
    done = client.post("/login", data={"username": username, "password": password,
                                       "next": "/", "csrf_token": token[1]})
    if done.status_code != 303:
        raise SystemExit(f"sign-in as {username} failed ({done.status_code}): run "
                         "scripts/demo --no-serve first")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=REPO / ".data" / "demo")
    parser.add_argument("--user", default="demo-manager")
    parser.add_argument("--password", default="demo-password-2026")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "EHC_DATA_DIR": str(args.data_dir), "EHC_WEB_SECURE_COOKIES": "false"}
    env.pop("EHC_DATABASE_URL", None)
    server = subprocess.Popen([EHC, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, cwd=REPO)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/login")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("ehc serve did not start within 30 s") from None
                    time.sleep(0.2)
            sign_in(client, args.user, args.password)
            caseload = client.get("/cases").text
            count = re.search(r'id="case-count">([^<]+)<', caseload)
            first = re.search(r'href="/cases/([^"#?]+)', caseload)
            assert first, "the caseload is empty"
            rows = [("/cases", "/cases"), ("/cases/<ref>", f"/cases/{first[1]}")]
            print(machine())
            print(f"\n{args.user}: {count[1] if count else '?'}; case {first[1]}; "
                  f"{args.requests} sequential requests each\n")
            print("| page | p50 | p95 | max |\n|---|---|---|---|")
            for label, path in rows:
                times = timed_gets(client, path, args.requests)
                print(f"| `{label}` | {statistics.median(times) * 1000:.0f} ms | "
                      f"{percentile(times, 0.95) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
