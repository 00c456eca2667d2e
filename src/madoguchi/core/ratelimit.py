"""Counting attempts in the cache: one mechanism for every limit in the project.

Fixed windows, counted atomically (``cache.add`` then ``cache.incr``). With the default
per-process cache (locmem) a limit holds per process; set CACHE_URL to a shared cache (Redis) when
several processes serve. Clients are identified by a hash of their address, so the cache holds no
addresses in the clear (a reverse proxy must set REMOTE_ADDR from the header it trusts).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    address = str(request.META.get("REMOTE_ADDR", "") or "unknown")
    return hashlib.sha256(address.encode()).hexdigest()[:24]


def increment(key: str, *, seconds: int) -> int:
    """Add one to the counter at ``key`` (created for ``seconds``); the new count."""
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=seconds)
        return 1


def count(key: str) -> int:
    return int(cache.get(key, 0))
