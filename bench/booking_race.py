"""madoguchi bench booking-race — no double booking under concurrent HTTP requests.

Starts the production server (gunicorn) on a free port against a fresh database (SQLite, or a new
PostgreSQL database on the server DATABASE_URL points at), creates a hall whose service has a
capacity of 3 per slot (3 windows, no walk-in share), then fires 200 booking form submissions at
the same slot at once — each a different person, each with the CSRF token a browser would send.

Every answer is classified: 302 to the confirmation page (booked), 409 with the message
「この時間枠は満員になりました。別の時間を選んでください。」 (slot full), or anything else (error:
a 500, "database is locked", a timeout…). The run passes when exactly `capacity` succeed and
there is no error; the last line is
    attempts=200 capacity=3 succeeded=3 slot_full=197 errors=0 seconds=… database=…
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import running_server

SLOT_FULL = "この時間枠は満員になりました。別の時間を選んでください。"


def _get(host: str, port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read().decode()
    headers = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, headers, body


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench booking-race")
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args(argv)

    from madoguchi.core.municipality_code import with_check_digit

    code = with_check_digit("22998")
    setup = [
        "reservations_demo",
        code,
        "--create",
        "--services",
        "1",
        "--windows",
        str(args.capacity),
        "--walk-in-percent",
        "0",
        "--lead-minutes",
        "0",
    ]
    with running_server(workers=args.workers, setup=[setup]) as server:
        host, port_text = server.base_url.removeprefix("http://").split(":")
        port = int(port_text)
        status, _h, body = _get(host, port, f"/{code}/reserve/board.json")
        assert status == 200, body[:300]
        service_id = json.loads(body)["services"][0]["id"]
        status, _h, body = _get(
            host, port, f"/{code}/reserve/services/{service_id}/slots.json?days=14"
        )
        slots = [s for d in json.loads(body)["days"] for s in d["slots"] if s["free"] > 0]
        if not slots:
            print("no free slot found in the next 14 days", file=sys.stderr)
            return 1
        start = slots[0]["start"]
        book_path = f"/{code}/reserve/services/{service_id}/book/"
        status, headers, body = _get(host, port, f"{book_path}?start={start}")
        cookie_match = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        token_match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert status == 200 and cookie_match and token_match, f"booking form: {status}"
        cookie, csrf = cookie_match.group(1), token_match.group(1)

        results: list[str] = [""] * args.attempts
        barrier = threading.Barrier(args.attempts)

        def attempt(i: int) -> None:
            form = urlencode(
                {
                    "csrfmiddlewaretoken": csrf,
                    "start": start,
                    "token": f"bench-{i}-{time.time_ns()}",
                    "name": f"来庁 太郎{i}",
                    "phone": f"090-{1234 + i // 10000}-{i % 10000:04d}",
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
            }
            conn = http.client.HTTPConnection(host, port, timeout=120)
            try:
                barrier.wait(timeout=60)
                conn.request("POST", book_path, body=form, headers=headers)
                r = conn.getresponse()
                text = r.read().decode(errors="replace")
                if r.status == 302 and "/done/" in (r.getheader("Location") or ""):
                    results[i] = "succeeded"
                elif r.status == 409 and SLOT_FULL in text:
                    results[i] = "slot_full"
                else:
                    snippet = re.sub(r"\s+", " ", text)[:200]
                    results[i] = f"error {r.status}: {snippet}"
            except Exception as exc:  # a refused or timed-out request is an error too
                results[i] = f"error {type(exc).__name__}: {exc}"
            finally:
                conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(args.attempts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.monotonic() - started
        status, _h, body = _get(
            host, port, f"/{code}/reserve/services/{service_id}/slots.json?days=14"
        )
        still_free = [
            s["free"] for d in json.loads(body)["days"] for s in d["slots"] if s["start"] == start
        ]
    counts = Counter(r if not r.startswith("error") else "errors" for r in results)
    for message, n in Counter(r for r in results if r.startswith("error")).most_common(5):
        print(f"{n}× {message}", file=sys.stderr)
    print(f"slot {start}: free after the race = {still_free[0] if still_free else 0}")
    print(
        f"attempts={args.attempts} capacity={args.capacity} succeeded={counts['succeeded']} "
        f"slot_full={counts['slot_full']} errors={counts['errors']} seconds={seconds:.2f} "
        f"database={server.database}"
    )
    return 0 if counts["succeeded"] == args.capacity and counts["errors"] == 0 else 1
