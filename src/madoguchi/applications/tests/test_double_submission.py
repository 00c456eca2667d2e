"""A draft becomes exactly one application under parallel POSTs, on both databases.

PostgreSQL: the scenarios run here, one connection per thread, against the test database.
SQLite: pytest-django's in-memory test database is shared-cache, whose table locks fail at once
instead of waiting; the same scenarios run in a subprocess against a fresh SQLite file with the
project's settings (WAL, IMMEDIATE transactions, busy timeout) — as in production.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from . import race


def _check(outcome: dict[str, Any]) -> None:
    page = outcome["check_page"]
    results = page["results"]
    # One POST created the application; every other one was shown that receipt.
    assert results.get("complete") == 1, results
    assert results.get("replayed", 0) + results.get("received", 0) == race.THREADS - 1, results
    assert page["applications"] == 1
    assert page["mails"] == 1
    assert page["attachment_owners"] == [page["application_id"]]
    # Back after submitting: "received", with the 受付番号 (and, in the session that submitted
    # it, the access code) on every step and on the check page — never a form to submit again.
    assert (
        page["back"] == [{"status": 200, "receipt_shown": True, "access_code_shown": True}] * 3
    ), page["back"]

    api = outcome["api"]
    assert api["applications"] == 1
    assert api["mails"] == 1
    created = [r for r in api["results"] if r.startswith("created:")]
    assert len(created) == 1 and api["results"][created[0]] == 1, api["results"]
    # Every retry got the same receipt number and the same access code back.
    _, receipt, code = created[0].split(":")
    assert receipt == api["receipt_number"]
    assert api["results"].get(f"replayed:{receipt}:{code}") == race.THREADS - 1, api["results"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="in-process threads: PostgreSQL")
def test_parallel_submissions_make_one_application_postgresql(mailoutbox: list[Any]) -> None:
    _check({"check_page": race.check_page_posts(), "api": race.api_posts()})


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file database in a subprocess")
def test_parallel_submissions_make_one_application_sqlite_file(tmp_path: Path) -> None:
    # The test database, already migrated, copied into the file (migrating anew takes long).
    connection.ensure_connection()
    target = sqlite3.connect(tmp_path / "race.sqlite3")
    connection.connection.backup(target)
    target.close()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "MADOGUCHI_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "madoguchi.applications.tests.race"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    _check(json.loads(done.stdout.strip().splitlines()[-1]))
