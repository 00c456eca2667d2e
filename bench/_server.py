"""Start the production server on a free port against a fresh database, for benchmarks."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from madoguchi.cli import default_threads, gunicorn_command
from madoguchi.core.ratelimit import RULES


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    database: str  # "sqlite" or "postgresql"


def setup_django_for_client() -> None:
    """The benchmark client uses project helpers (form engine, demo constants), not the DB."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings.test")
    import django

    django.setup()


def free_port() -> int:
    """MADOGUCHI_BENCH_PORT when set (a machine shared by several people), else any free port."""
    if os.environ.get("MADOGUCHI_BENCH_PORT"):
        return int(os.environ["MADOGUCHI_BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def fresh_database(data_dir: str) -> Iterator[tuple[str, str]]:
    """(DATABASE_URL, kind): a new PostgreSQL database when DATABASE_URL points at one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{data_dir}/bench.sqlite3", "sqlite"
        return
    import psycopg

    name = f"madoguchi_bench_{os.getpid()}_{secrets.token_hex(3)}"
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}")), "postgresql"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_server(*, workers: int = 2, setup: list[list[str]] | None = None) -> Iterator[Server]:
    data_dir = tempfile.mkdtemp(prefix="madoguchi-bench-")
    try:
        with fresh_database(data_dir) as (database_url, kind):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "madoguchi.settings.production",
                "SECRET_KEY": secrets.token_urlsafe(40),
                "MADOGUCHI_DATA_DIR": data_dir,
                "DATABASE_URL": database_url,
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_COOKIES": "false",
                # Production refuses mail backends that print or drop mail: write files.
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "LOG_LEVEL": "WARNING",
                # The benchmark client is one address sending what many residents would.
                "RATE_LIMITS": json.dumps({name: [10**9, 60] for name in RULES}),
            }
            madoguchi = [sys.executable, "-m", "madoguchi.cli"]
            for command in [["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]] + (
                setup or []
            ):
                subprocess.run([*madoguchi, *command], env=env, check=True)
            port = free_port()
            # The production server as `madoguchi serve` starts it (gthread, access log).
            command = gunicorn_command(
                host="127.0.0.1", port=port, workers=workers, threads=default_threads()
            )
            quiet = ["--log-level", "warning", "--access-logfile", os.devnull]
            proc = subprocess.Popen([*command, *quiet], env=env)
            base_url = f"http://127.0.0.1:{port}"
            try:
                _wait_until_up(base_url + "/healthz")
                yield Server(base_url=base_url, env=env, database=kind)
            finally:
                proc.terminate()
                proc.wait(timeout=20)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server did not start: {url}")
