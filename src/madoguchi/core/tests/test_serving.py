# ruff: noqa: S603, S607 — runs our own interpreter and the database client tools
"""The production server as operators run it (`madoguchi serve`, real gunicorn), on the test's
database: event streams cannot starve pages; two application servers share one database and
its rate limits; a restored backup serves the same residents; the server refuses to start on a
database that is not migrated or without a real mail backend. docs/operations.md describes it.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from madoguchi.applications.tests.factories import VALID_ANSWERS, FormVersionFactory
from madoguchi.reservations.tests.factories import hall

from .servers import (
    Browser,
    Server,
    is_postgresql,
    postgresql_url,
    require_gunicorn,
    serve,
    server_environment,
    share_test_database,
)

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

STREAMS = 30  # clients holding (or retrying) the calling display's event stream
PAGE_REQUESTS = 200  # resident page loads measured meanwhile
MAX_GUESSES = 100  # more than any access-code limit allows


@pytest.fixture(autouse=True)
def _gunicorn() -> None:
    require_gunicorn()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _submit(browser: Browser, server: Server, version: Any) -> dict[str, str]:
    code = version.procedure.municipality.code
    status, body = browser.request(
        server,
        "POST",
        f"/api/v1/{code}/applications",
        payload={"procedure": version.procedure.slug, "form_version": 1, "answers": VALID_ANSWERS},
    )
    assert status == 201, body
    created: dict[str, str] = json.loads(body)
    return created


def _status_page(browser: Browser, server: Server, code: str, receipt: str, access: str) -> Any:
    token = browser.csrf_token(server, f"/{code}/status/")
    form = {"csrfmiddlewaretoken": token, "receipt_number": receipt, "access_code": access}
    return browser.request(server, "POST", f"/{code}/status/", form=form)


def test_open_event_streams_do_not_starve_resident_pages(tmp_path: Path) -> None:
    municipality, _, _ = hall()
    version = FormVersionFactory(without_files=True, procedure__municipality=municipality)
    code = municipality.code
    env = server_environment(share_test_database(tmp_path), tmp_path / "data")
    pages = [f"/{code}/", f"/{code}/procedures/{version.procedure.slug}/", f"/{code}/reserve/"]
    with serve(env, tmp_path / "server", workers=2, threads=8) as server:
        stop = threading.Event()
        lock = threading.Lock()
        counts = {"open": 0, "most_open": 0, "refused": 0}

        def hold_stream() -> None:
            # A display, or a hostile client: keeps a stream open; refused, it tries again a
            # second later (the stream's `retry`), instead of polling as the display page does.
            while not stop.is_set():
                conn = server.connection(timeout=30)
                try:
                    conn.request("GET", f"/{code}/reserve/display/stream")
                    response = conn.getresponse()
                    if response.status != 200:
                        assert response.status == 503 and response.headers["Retry-After"]
                        response.read()
                        with lock:
                            counts["refused"] += 1
                        time.sleep(1.0)
                        continue
                    with lock:
                        counts["open"] += 1
                        counts["most_open"] = max(counts["most_open"], counts["open"])
                    try:
                        while not stop.is_set() and response.readline():
                            pass
                    finally:
                        with lock:
                            counts["open"] -= 1
                except OSError:
                    time.sleep(0.2)
                finally:
                    conn.close()

        latencies: list[float] = []
        failures: list[int] = []

        def load_pages(share: int) -> None:
            for index in range(share):
                conn = server.connection(timeout=30)
                started = time.monotonic()
                conn.request("GET", pages[index % len(pages)])
                response = conn.getresponse()
                response.read()
                latencies.append(time.monotonic() - started)
                if response.status != 200:
                    failures.append(response.status)
                conn.close()

        def in_parallel(target: Any, *args: Any, count: int = 4) -> list[threading.Thread]:
            threads = [
                threading.Thread(target=target, args=args, daemon=True) for _ in range(count)
            ]
            for thread in threads:
                thread.start()
            return threads

        # Warm up both processes (the first request of each loads templates), then forget it.
        for thread in in_parallel(load_pages, 12):
            thread.join()
        latencies.clear()
        in_parallel(hold_stream, count=STREAMS)
        deadline = time.monotonic() + 20
        while counts["most_open"] < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        for thread in in_parallel(load_pages, PAGE_REQUESTS // 4):
            thread.join()
        stop.set()
        held, refused = counts["most_open"], counts["refused"]
    p99 = _p99(latencies)
    print(
        f"\nstreams={STREAMS} held_open={held} refused_503={refused} "
        f"pages={len(latencies)} page_p99_ms={p99 * 1000:.0f} failures={len(failures)}"
    )
    assert failures == []
    assert len(latencies) == PAGE_REQUESTS and p99 < 1.0
    # Two processes × two stream slots: the other 26 clients were told to poll instead.
    assert held == 4 and refused > 0


def test_two_servers_share_one_database_and_its_rate_limits(tmp_path: Path) -> None:
    version = FormVersionFactory(without_files=True)
    code = version.procedure.municipality.code
    env = server_environment(share_test_database(tmp_path), tmp_path / "data")
    with (
        serve(env, tmp_path / "a") as first,
        serve(env, tmp_path / "b") as second,
    ):
        resident = Browser()
        # Submitted through one server, read back on the other.
        created = _submit(resident, first, version)
        status, html = _status_page(
            resident, second, code, created["receipt_number"], created["access_code"]
        )
        assert status == 200 and created["receipt_number"] in html

        # Guessing access codes on one server until it refuses: the other refuses too, because
        # the failures are counted in the shared database cache (a per-process cache would
        # leave the second server's count at zero).
        guesser = Browser()
        token = guesser.csrf_token(first, f"/{code}/status/")

        def guess(server: Server, attempt: int) -> int:
            form = {
                "csrfmiddlewaretoken": token,
                "receipt_number": created["receipt_number"],
                "access_code": f"{attempt:08d}",
            }
            return guesser.request(server, "POST", f"/{code}/status/", form=form)[0]

        statuses = []
        for attempt in range(1, MAX_GUESSES + 1):
            statuses.append(guess(first, attempt))
            if statuses[-1] == 429:
                break
        assert statuses[-1] == 429 and set(statuses[:-1]) == {400}, statuses
        assert guess(second, 0) == 429

        # Behind the TLS proxy (X-Forwarded-Proto from a trusted address): HSTS, on by default.
        for proto, expected in (("https", "max-age=31536000"), ("", None)):
            conn = first.connection()
            conn.request("GET", f"/{code}/", headers={"X-Forwarded-Proto": proto} if proto else {})
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 200
            assert response.headers["Strict-Transport-Security"] == expected

        # The access log: no query strings, no secrets in paths.
        resident.request(second, "GET", f"/{code}/status/?q=%E7%AA%93%E5%8F%A3%E8%8A%B1%E5%AD%90")
        secret = secrets.token_urlsafe(24)
        resident.request(second, "GET", f"/{code}/resume/{secret}/")
        time.sleep(0.3)  # the last lines reach the file
        logs = first.access_log + second.access_log
    assert f"POST /api/v1/{code}/applications 201" in logs
    assert f"POST /{code}/status/ 429" in logs
    assert f"GET /{code}/resume/***/ " in logs
    assert secret not in logs and "q=" not in logs and "?" not in logs
    assert "127.0.0.1 " not in logs  # no client addresses either


def _backup_and_restore(database_url: str, directory: Path) -> tuple[str, str | None]:
    """The backup and restore commands of docs/operations.md; (restored URL, database to drop)."""
    if is_postgresql():
        dump = directory / "madoguchi.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", database_url], check=True)
        name = f"test_restore_{secrets.token_hex(4)}"
        restored = postgresql_url(name)
        subprocess.run(
            ["createdb", f"--maintenance-db={postgresql_url('postgres')}", name], check=True
        )
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            check=True,
        )
        return restored, name
    source = database_url.removeprefix("sqlite:///")
    backup = directory / "backup.sqlite3"
    if shutil.which("sqlite3"):
        subprocess.run(
            ["sqlite3", "-cmd", ".timeout 30000", source, f".backup '{backup}'"], check=True
        )
    else:  # the same online backup, through Python's sqlite3 module
        with sqlite3.connect(source) as src, sqlite3.connect(backup) as dst:
            src.backup(dst)
    restored_file = directory / "restored" / "madoguchi.sqlite3"
    restored_file.parent.mkdir()
    shutil.copy(backup, restored_file)
    return f"sqlite:///{restored_file}", None


def test_a_restored_backup_serves_the_same_residents(tmp_path: Path) -> None:
    tools = ("pg_dump", "createdb", "pg_restore") if is_postgresql() else ()
    if missing := [tool for tool in tools if not shutil.which(tool)]:
        pytest.skip(f"the restore test needs PostgreSQL's client tools: {', '.join(missing)}")
    version = FormVersionFactory(without_files=True)
    code = version.procedure.municipality.code
    database_url = share_test_database(tmp_path)
    resident = Browser()
    with serve(server_environment(database_url, tmp_path / "data"), tmp_path / "live") as live:
        created = _submit(resident, live, version)
        restored_url, drop = _backup_and_restore(database_url, tmp_path)
    try:
        env = server_environment(restored_url, tmp_path / "restored-data")
        with serve(env, tmp_path / "restored") as restored:
            status, html = _status_page(
                resident, restored, code, created["receipt_number"], created["access_code"]
            )
            assert status == 200 and created["receipt_number"] in html
            again = _submit(resident, restored, version)  # sequences came back too
            assert again["receipt_number"] != created["receipt_number"]
    finally:
        if drop:
            import psycopg

            with psycopg.connect(postgresql_url("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


def test_serve_refuses_an_unmigrated_database_and_a_mail_backend_that_prints(
    tmp_path: Path,
) -> None:
    def serve_once(database_url: str, **extra: str) -> subprocess.CompletedProcess[str]:
        env = server_environment(database_url, tmp_path / "data", **extra)
        return subprocess.run(
            [sys.executable, "-m", "madoguchi.cli", "serve", "--port", "1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    empty = serve_once(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert empty.returncode == 1
    assert "not applied" in empty.stderr and "madoguchi migrate" in empty.stderr
    printing = serve_once(
        share_test_database(tmp_path),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert printing.returncode == 1 and "madoguchi.E001" in printing.stderr
