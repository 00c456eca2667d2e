"""Many "server processes" counting one limit at once through Django's DatabaseCache.

Each thread has its own database connection and its own DatabaseCache client, as two worker
processes would. Run in-process on PostgreSQL (test_ratelimit) and as a subprocess against a
fresh SQLite file (pytest-django's in-memory SQLite is shared-cache: its locks do not wait).
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

TABLE = "madoguchi_ratelimit_test_cache"
THREADS = 8
PER_THREAD = 25


def database_cache() -> object:
    from django.core.cache.backends.db import DatabaseCache

    return DatabaseCache(TABLE, {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def create_table() -> None:
    from django.core.management import call_command

    call_command("createcachetable", TABLE, verbosity=0)  # does nothing if it exists


def hammer(key: str) -> list[int]:
    """Every count returned by THREADS × PER_THREAD increments of one key."""
    from django.db import connections

    from madoguchi.core import ratelimit

    def worker(_i: int) -> list[int]:
        cache = database_cache()  # one client per "process"
        try:
            return [
                ratelimit.increment(key, seconds=600, cache=cache)  # type: ignore[arg-type]
                for _ in range(PER_THREAD)
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return sorted(n for counts in pool.map(worker, range(THREADS)) for n in counts)


def main() -> int:
    import django

    django.setup()
    create_table()
    print(json.dumps(hammer("race")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
