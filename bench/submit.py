"""madoguchi bench submit — sustained online submissions per second over HTTP.

Starts the production server (gunicorn, 2 workers) on a free port against a fresh database
(SQLite, or a new PostgreSQL database on the server DATABASE_URL points at), loads the demo
municipality, then measures in the same run:
  1. a trivial view (/healthz) — the baseline;
  2. submitting an application through the JSON API (validation, receipt number, history,
     e-mail task) — the figure.
ratio = trivial_per_s / submits_per_s: how many trivial requests one submission costs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import running_server, setup_django_for_client
from madoguchi.cli import default_workers

PROCEDURE = "moving-out"  # 転出届: 24 fields, groups, dates, postal code — no attachments


def _hammer(
    host: str,
    port: int,
    request: Callable[[http.client.HTTPConnection], int],
    *,
    seconds: float,
    concurrency: int,
) -> tuple[float, int]:
    """Run `request` from `concurrency` threads for `seconds`; (successes/s, failures)."""
    ok = 0
    failed = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        nonlocal ok, failed
        mine_ok = mine_failed = 0
        while time.monotonic() < stop_at:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            try:
                status = request(conn)
            except OSError:
                status = 0
            finally:
                conn.close()
            if status in (200, 201):
                mine_ok += 1
            else:
                mine_failed += 1
        with lock:
            ok += mine_ok
            failed += mine_failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok / (time.monotonic() - started), failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench submit")
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--tasks",
        choices=["database", "immediate"],
        default="database",
        help="task backend: database (production: e-mail sent by the worker) or immediate",
    )
    args = parser.parse_args(argv)
    setup_django_for_client()
    from madoguchi.demo import DEMO_CODE

    os.environ["TASKS_BACKEND"] = args.tasks
    with running_server(workers=args.workers, setup=[["demo_load"]]) as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port))
        conn.request("GET", f"/api/v1/{DEMO_CODE}/procedures/{PROCEDURE}")
        detail = json.loads(conn.getresponse().read())
        conn.close()
        from madoguchi.procedures.formdef import parse_definition
        from madoguchi.procedures.tests.fill import valid_answers

        answers = valid_answers(parse_definition(detail["form_definition"]), today=date.today())
        body = json.dumps(
            {"procedure": PROCEDURE, "form_version": detail["form_version"], "answers": answers}
        ).encode()
        headers = {"Content-Type": "application/json"}

        def trivial(c: http.client.HTTPConnection) -> int:
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            return r.status

        def submit(c: http.client.HTTPConnection) -> int:
            c.request("POST", f"/api/v1/{DEMO_CODE}/applications", body=body, headers=headers)
            r = c.getresponse()
            payload = r.read()
            if r.status != 201:
                print(f"submission refused ({r.status}): {payload[:300]!r}", file=sys.stderr)
            return r.status

        # Warm up both paths, then measure.
        _hammer(host, int(port), trivial, seconds=1, concurrency=args.concurrency)
        _hammer(host, int(port), submit, seconds=1, concurrency=args.concurrency)
        trivial_per_s, trivial_failed = _hammer(
            host, int(port), trivial, seconds=args.seconds, concurrency=args.concurrency
        )
        submits_per_s, submit_failed = _hammer(
            host, int(port), submit, seconds=args.seconds, concurrency=args.concurrency
        )
    ratio = trivial_per_s / submits_per_s if submits_per_s else float("inf")
    print(f"failed: trivial={trivial_failed} submit={submit_failed}")
    print(
        f"submits_per_s={submits_per_s:.1f} trivial_per_s={trivial_per_s:.1f} "
        f"ratio={ratio:.2f} database={server.database} tasks={args.tasks}"
    )
    return 0 if submit_failed == 0 else 1
