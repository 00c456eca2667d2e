"""Counting attempts: shared by every process, atomic, per window, on a database cache too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory

from madoguchi.core import ratelimit

from . import ratelimit_race


def test_counts_per_key_and_hashes_the_address():
    assert ratelimit.count("k") == 0
    assert [ratelimit.increment("k", seconds=60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("k") == 3
    assert ratelimit.count("other") == 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    key = ratelimit.client_key(request)
    assert "192.0.2.7" not in key and len(key) == 24
    assert key == ratelimit.client_key(RequestFactory().get("/x", REMOTE_ADDR="192.0.2.7"))
    assert key != ratelimit.client_key(RequestFactory().get("/", REMOTE_ADDR="192.0.2.8"))
    target = ratelimit.target_key("taro@example.jp")
    assert "taro" not in target and target == ratelimit.target_key(" Taro@Example.JP")


def test_rules_hold_per_window_and_can_be_configured(settings):
    settings.RATE_LIMITS = {"applications.lookup.client": (2, 600)}
    assert ratelimit.rule("applications.lookup.client") == ratelimit.Rule(2, 600)
    t = 1_000_000_200.0  # inside a window of 600 s
    assert not ratelimit.exceeded("applications.lookup.client", "c", now=t)
    assert [ratelimit.hit("applications.lookup.client", "c", now=t) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert ratelimit.exceeded("applications.lookup.client", "c", now=t)
    assert not ratelimit.exceeded("applications.lookup.client", "other", now=t)
    assert not ratelimit.exceeded("applications.lookup.client", "c", now=t + 600)


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_database_cache_counter():
    """Two clients of the database cache (two processes) count into the same counter."""
    ratelimit_race.create_table()
    first, second = ratelimit_race.database_cache(), ratelimit_race.database_cache()
    counts = [
        ratelimit.increment("shared", seconds=600, cache=c)  # type: ignore[arg-type]
        for c in (first, second, second, first, second)
    ]
    assert counts == [1, 2, 3, 4, 5]
    assert ratelimit.count("shared", cache=first) == 5  # type: ignore[arg-type]
    # An expired counter starts again at one.
    first.set("old", 7, timeout=-1)  # type: ignore[attr-defined]
    assert ratelimit.increment("old", seconds=600, cache=second) == 1  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="in-process threads: PostgreSQL")
def test_concurrent_increments_on_postgresql_lose_nothing():
    ratelimit_race.create_table()
    total = ratelimit_race.THREADS * ratelimit_race.PER_THREAD
    assert ratelimit_race.hammer("race-pg") == list(range(1, total + 1))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file database in a subprocess")
def test_concurrent_increments_on_a_sqlite_file_lose_nothing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "MADOGUCHI_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "madoguchi.core.tests.ratelimit_race"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    total = ratelimit_race.THREADS * ratelimit_race.PER_THREAD
    assert json.loads(done.stdout.strip().splitlines()[-1]) == list(range(1, total + 1))


def test_a_small_database_cache_is_reported(settings):
    from madoguchi.core.ratelimit import check_cache

    assert check_cache() == []  # locmem in tests
    database = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "c"}
    settings.CACHES = {"default": database}
    assert [m.id for m in check_cache()] == ["madoguchi.W101"]
    settings.CACHES = {"default": {**database, "OPTIONS": {"MAX_ENTRIES": 200_000}}}
    assert check_cache() == []


@pytest.mark.django_db(transaction=True)
def test_the_default_database_cache_counts_in_its_table(settings):
    """With DatabaseCache as the default cache (as in production), limits count in its table."""
    ratelimit_race.create_table()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": ratelimit_race.TABLE,
        }
    }
    settings.RATE_LIMITS = {"applications.lookup.client": (2, 600)}
    t = 1_000_000_200.0
    answers = [ratelimit.hit("applications.lookup.client", "db-client", now=t) for _ in range(3)]
    assert answers == [True, True, False]
    other = ratelimit_race.database_cache()  # another process sees the same counter
    window = int(t) // 600
    key = f"rl:applications.lookup.client:db-client:{window}"
    assert ratelimit.count(key, cache=other) == 3  # type: ignore[arg-type]


def _redis_cache(url: str) -> object:
    from django.core.cache.backends.redis import RedisCache

    return RedisCache(url, {"KEY_PREFIX": "madoguchi-test-ratelimit"})


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis server (optional)")
def test_two_redis_clients_count_atomically():
    """Redis (optional): two clients, as two processes, share one atomic counter."""
    from concurrent.futures import ThreadPoolExecutor

    first, second = _redis_cache(REDIS_URL), _redis_cache(REDIS_URL)
    first.delete("race")  # type: ignore[attr-defined]

    def worker(i: int) -> list[int]:
        cache = first if i % 2 else second
        return [ratelimit.increment("race", seconds=60, cache=cache) for _ in range(25)]  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(n for batch in pool.map(worker, range(8)) for n in batch)
    assert counts == list(range(1, 201))
    first.delete("race")  # type: ignore[attr-defined]
