"""Attempt limits for looking up an application by receipt number and access code.

Failed look-ups are counted per municipality and client address in the cache, so guessing codes
is slow whether through the status page or the API.
"""

from __future__ import annotations

from django.core.cache import cache

LIMIT = 20
WINDOW_SECONDS = 600


def _key(municipality_code: str, client: str) -> str:
    return f"status-failures:{municipality_code}:{client}"


def lookup_allowed(*, municipality_code: str, client: str) -> bool:
    return int(cache.get(_key(municipality_code, client), 0)) < LIMIT


def lookup_failed(*, municipality_code: str, client: str) -> None:
    key = _key(municipality_code, client)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS)
