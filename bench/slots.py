"""madoguchi bench slots — computing a month of bookable slots for a 10-window office.

Starts the production server on a fresh database with a hall of 10 windows and 5 services, fills
the coming weeks with sample bookings, then asks each service's slot list for 31 days
(`services/<id>/slots.json?days=31`) repeatedly. `computed_ms` is measured inside the view
(calendar, holidays, capacity and the booked counts: a fixed number of queries whatever the
range); `http_ms` is the whole request as a browser sees it.
Last line: slots_month_p50_ms=… slots_month_p95_ms=… http_p50_ms=… slots=… windows=10
services=5 days=31 database=…
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import running_server


def _get(host: str, port: int, path: str) -> tuple[float, Any]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200, body[:300]
    return (time.perf_counter() - started) * 1000, json.loads(body)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench slots")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--windows", type=int, default=10)
    parser.add_argument("--bookings", type=int, default=1500)
    args = parser.parse_args(argv)

    from madoguchi.core.municipality_code import with_check_digit

    code = with_check_digit("22996")
    setup = [
        "reservations_demo",
        code,
        "--create",
        "--services",
        "5",
        "--windows",
        str(args.windows),
        "--walk-in-percent",
        "20",
        "--lead-minutes",
        "0",
        "--sample-bookings",
        str(args.bookings),
    ]
    computed: list[float] = []
    http_ms: list[float] = []
    slot_count = 0
    with running_server(workers=2, setup=[setup]) as server:
        host, port_text = server.base_url.removeprefix("http://").split(":")
        port = int(port_text)
        _ms, board = _get(host, port, f"/{code}/reserve/board.json")
        service_ids = [s["id"] for s in board["services"]]
        for round_ in range(args.rounds + 1):
            for service_id in service_ids:
                ms, data = _get(
                    host, port, f"/{code}/reserve/services/{service_id}/slots.json?days=31"
                )
                if round_ == 0:  # warm-up
                    slot_count += sum(len(d["slots"]) for d in data["days"])
                    continue
                computed.append(float(data["computed_ms"]))
                http_ms.append(ms)
    computed.sort()
    print(
        f"slots_month_p50_ms={statistics.median(computed):.1f} "
        f"slots_month_p95_ms={computed[int(0.95 * (len(computed) - 1))]:.1f} "
        f"http_p50_ms={statistics.median(http_ms):.1f} slots={slot_count} "
        f"windows={args.windows} services={len(service_ids)} days=31 database={server.database}"
    )
    return 0
