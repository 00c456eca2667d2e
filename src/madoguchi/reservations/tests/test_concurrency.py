"""No double booking and gapless ticket numbers under concurrent requests (real threads, real DB).

PostgreSQL: the scenarios run here, one connection per thread, against the test database.
SQLite: pytest-django's in-memory test database is shared-cache, whose table locks fail at once
instead of waiting; the same scenarios run in a subprocess against a fresh SQLite file with the
project's settings (WAL, IMMEDIATE transactions, busy timeout) — as in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from . import race

pytestmark = pytest.mark.django_db(transaction=True)


def _check(outcome: dict[str, Any]) -> None:
    booked = outcome["bookings"]
    assert booked["results"] == {"ok": 3, "full": 197}, booked
    assert booked["bookings"] == 3
    assert booked["load"] == 3
    person = outcome["person"]
    assert person["results"] == {"ok": 2, "person_limit": 18}, person
    assert person["bookings"] == 2
    shared = outcome["shared"]
    assert shared["results"] == {"ok": 2, "full": 38}, shared
    assert shared["total"] == 2 and shared["a"] <= 1
    tickets = outcome["tickets"]
    assert tickets["results"] == {"ok": 100}, tickets["results"]
    assert tickets["numbers"] == list(range(1, 101))
    assert tickets["events"] == 100
    calls = outcome["calls"]["results"]
    assert sorted(calls) == [f"A{n:03d}" for n in range(1, 7)], calls
    assert set(calls.values()) == {1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="in-process threads: PostgreSQL")
def test_concurrent_bookings_tickets_and_calls_postgresql() -> None:
    _check(
        {
            "bookings": race.bookings(),
            "person": race.person_limit(),
            "shared": race.shared_window(),
            "tickets": race.tickets(),
            "calls": race.calls(),
        }
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file database in a subprocess")
def test_concurrent_bookings_tickets_and_calls_sqlite_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "MADOGUCHI_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "madoguchi.reservations.tests.race"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    _check(json.loads(done.stdout.strip().splitlines()[-1]))
