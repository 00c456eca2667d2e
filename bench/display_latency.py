"""madoguchi bench display-latency — how long from a staff call to the calling display showing it.

Starts the production server (gunicorn, 3 sync workers) on a fresh database, creates a hall and a
counter clerk, then repeats: a walk-in takes a ticket at the kiosk; the clerk presses 「次の方を呼ぶ」;
we measure, from the moment the call is sent,
  - call_ms: the console's call request itself;
  - json_ms: until the display's JSON endpoint shows the number (polled every 20 ms here; the
    display page polls every second, so a screen shows it within json_ms + up to 1000 ms);
  - sse_ms: until the server-sent-events stream (`display/stream`, `?transport=sse`) delivers it.
Last line: call_p50_ms=… json_p50_ms=… json_p95_ms=… sse_p50_ms=… sse_p95_ms=…
display_poll_interval_ms=1000 calls=… database=…
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import re
import socket
import statistics
import sys
import threading
import time
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import running_server

PASSWORD = "bench-password-not-secret"  # noqa: S105


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Browser:
    """A tiny cookie-keeping HTTP client (one per person: clerk, kiosk)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as r:
            return str(r.read().decode())

    def post(self, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> str:
        request = Request(
            self.base_url + path, data=urlencode(data).encode(), headers=headers or {}
        )
        with self.opener.open(request, timeout=30) as r:
            return str(r.read().decode())


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Stream:
    """Reads the display's SSE stream in a thread; wait_for(number) returns when it is shown."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()
        self.cond = threading.Condition()
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode().strip()
                if not line.startswith("data: "):
                    continue
                state = json.loads(line[6:])
                with self.cond:
                    for call in state["calls"][:1]:
                        self.seen.setdefault(call["number"], time.monotonic())
                    self.ready.set()
                    self.cond.notify_all()
        except (OSError, ValueError, AttributeError):  # closed under us at the end
            pass

    def wait_for(self, number: str, timeout: float = 10.0) -> float | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while number not in self.seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.seen[number]

    def close(self) -> None:
        # Shut the socket down: the response object keeps its own reference to it.
        if self.conn.sock is not None:
            with contextlib.suppress(OSError):
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()
        self.response.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench display-latency")
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args(argv)

    from madoguchi.core.municipality_code import with_check_digit

    code = with_check_digit("22997")
    setup = [
        "reservations_demo",
        code,
        "--create",
        "--services",
        "1",
        "--windows",
        "2",
        "--staff",
        f"bench-clerk:{PASSWORD}",
    ]
    call_ms: list[float] = []
    json_ms: list[float] = []
    sse_ms: list[float] = []
    with running_server(workers=3, setup=[setup]) as server:
        host, port_text = server.base_url.removeprefix("http://").split(":")
        port = int(port_text)
        clerk = Browser(server.base_url)
        login = clerk.get("/staff/login/")
        clerk.post(
            "/staff/login/",
            {"username": "bench-clerk", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(login)},
        )
        home = clerk.get("/staff/reservations/")
        kiosk_match = re.search(r"/reserve/kiosk/([^/\"]+)/", home)
        window_match = re.search(r"/staff/reservations/windows/(\d+)/", home)
        assert kiosk_match and window_match, "staff home lists no kiosk or window"
        kiosk_path = f"/{code}/reserve/kiosk/{kiosk_match.group(1)}/"
        action = f"/staff/reservations/windows/{window_match.group(1)}/action/"
        console = clerk.get(f"/staff/reservations/windows/{window_match.group(1)}/")
        kiosk = Browser(server.base_url)
        for i in range(args.calls):
            page = kiosk.get(kiosk_path)
            service = re.search(r'name="service" value="(\d+)"', page)
            assert service
            ticket = kiosk.post(
                kiosk_path + "ticket/",
                {"service": service.group(1), "csrfmiddlewaretoken": _csrf(page)},
            )
            number_match = re.search(r'id="ticket-number">([A-Z]\d+)<', ticket)
            assert number_match
            number = number_match.group(1)
            use_sse = i % 2 == 1
            stream = Stream(host, port, f"/{code}/reserve/display/stream") if use_sse else None
            if stream is not None:
                stream.ready.wait(10)
            started = time.monotonic()
            fragment = clerk.post(
                action,
                {"action": "call", "csrfmiddlewaretoken": _csrf(console)},
                headers={"X-Console": "1"},
            )
            call_ms.append((time.monotonic() - started) * 1000)
            if stream is not None:
                seen = stream.wait_for(number)
                stream.close()
                if seen is not None:
                    sse_ms.append((seen - started) * 1000)
            else:
                while time.monotonic() - started < 10:
                    conn = http.client.HTTPConnection(host, port, timeout=10)
                    conn.request("GET", f"/{code}/reserve/display.json")
                    state = json.loads(conn.getresponse().read())
                    conn.close()
                    if state["calls"] and state["calls"][0]["number"] == number:
                        json_ms.append((time.monotonic() - started) * 1000)
                        break
                    time.sleep(0.02)
            ticket_id = re.search(r'name="ticket" value="(\d+)"', fragment)
            assert ticket_id, "console shows no called ticket"
            clerk.post(
                action,
                {
                    "action": "start",
                    "ticket": ticket_id.group(1),
                    "csrfmiddlewaretoken": _csrf(console),
                },
                headers={"X-Console": "1"},
            )
    print(f"json samples={len(json_ms)} sse samples={len(sse_ms)}")
    print(
        f"call_p50_ms={statistics.median(call_ms):.0f} "
        f"json_p50_ms={_p(json_ms, 0.5):.0f} json_p95_ms={_p(json_ms, 0.95):.0f} "
        f"sse_p50_ms={_p(sse_ms, 0.5):.0f} sse_p95_ms={_p(sse_ms, 0.95):.0f} "
        f"display_poll_interval_ms=1000 calls={args.calls} database={server.database}"
    )
    return 0 if len(json_ms) + len(sse_ms) == args.calls else 1
