# ruff: noqa: S603 — runs our own interpreter
"""Real servers for tests: `madoguchi serve` (gunicorn) on the test's database.

SQLite: the test's in-memory database is copied to a file with SQLite's backup API, and the
servers share that file. PostgreSQL: the servers connect to the test database itself. Data the
test creates must be committed first (`transactional_db`).

Ports: any free port, or one in MADOGUCHI_TEST_PORTS ("8150-8199") where a range is assigned.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

SECRET_KEY = secrets.token_urlsafe(40)
# Settings the test suite pre-sets for itself (settings/test.py) that a production server must not
# inherit: it takes its own from the environment built below, or its defaults.
TEST_ONLY_ENVIRONMENT = ("CACHE_URL", "EMAIL_BACKEND", "SECRET_KEY", "MADOGUCHI_DATA_DIR")


def require_gunicorn() -> None:
    if os.name != "posix":
        pytest.skip("real-server tests need a POSIX system (gunicorn)")
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        pytest.skip("real-server tests need gunicorn")


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def postgresql_url(name: str) -> str:
    s = connection.settings_dict
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def share_test_database(directory: Path) -> str:
    """A DATABASE_URL for servers that reaches the test's database (see the module's note)."""
    if is_postgresql():
        return postgresql_url(str(connection.settings_dict["NAME"]))
    path = directory / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    with target:
        connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def free_port() -> int:
    assigned = os.environ.get("MADOGUCHI_TEST_PORTS", "")
    match = re.fullmatch(r"(\d+)-(\d+)", assigned)
    candidates = range(int(match[1]), int(match[2]) + 1) if match else [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError(f"no free port in MADOGUCHI_TEST_PORTS={assigned}")


def server_environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENVIRONMENT}
    data_dir.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "madoguchi.settings.production",
            "PYTHONPATH": os.pathsep.join(
                [str(settings.SRC_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "SECRET_KEY": SECRET_KEY,
            "MADOGUCHI_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "TASKS_BACKEND": "immediate",
            # Static files from the apps: no collectstatic at each start in tests.
            "WHITENOISE_USE_FINDERS": "true",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log_dir: Path
    host: str = "127.0.0.1"

    @property
    def access_log(self) -> str:
        return (self.log_dir / "stdout.log").read_text(errors="replace")

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


@contextlib.contextmanager
def serve(
    env: dict[str, str], log_dir: Path, *, workers: int = 1, threads: int = 8
) -> Iterator[Server]:
    """`madoguchi serve` as an operator runs it; stopped (quick shutdown) on exit."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "stdout.log", "wb") as out, open(log_dir / "stderr.log", "wb") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "madoguchi.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            env=env,
            stdout=out,
            stderr=err,
        )
    server = Server(port=port, process=process, log_dir=log_dir)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown: do not wait for open streams
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        with contextlib.suppress(OSError):
            conn = server.connection(timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.2)
    stderr = (server.log_dir / "stderr.log").read_text(errors="replace")
    raise RuntimeError(f"madoguchi serve did not start on {server.port}:\n{stderr[-3000:]}")


@dataclass
class Browser:
    """Cookies and the CSRF token, across servers (one site, several application servers)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        server: Server,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        payload: Any = None,
    ) -> tuple[int, str]:
        headers = {"Host": "127.0.0.1"}
        body: bytes | None = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{server.port}{path}"
        elif payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        conn = server.connection()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, text
        finally:
            conn.close()

    def csrf_token(self, server: Server, path: str) -> str:
        status, html = self.request(server, "GET", path)
        assert status == 200, (path, status)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)
