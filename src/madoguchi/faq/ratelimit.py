"""Per-client rate limits for the resident chat, counted in the cache (fixed windows).

The client is the connecting address (REMOTE_ADDR; a reverse proxy in front must set it from the
forwarded header it trusts) plus the municipality. With a per-process cache (locmem) the limits are
per process; configure a shared cache (CACHE_URL) in production so they hold across processes.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# (requests, seconds): a person typing never comes close; a script does.
DEFAULT_LIMITS: tuple[tuple[int, int], ...] = ((20, 60), (300, 24 * 3600))


def _limits() -> tuple[tuple[int, int], ...]:
    return tuple(getattr(settings, "FAQ_RATE_LIMITS", DEFAULT_LIMITS))


def client_key(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    # Hashed so the cache holds no addresses in the clear.
    return hashlib.sha256(address.encode()).hexdigest()[:24]


def hit(request: HttpRequest, *, scope: str) -> bool:
    """Count one request; False when the client is over a limit (the request must be refused)."""
    client = client_key(request)
    now = int(time.time())
    allowed = True
    for count, seconds in _limits():
        window = now // seconds
        key = f"faq-rl:{scope}:{client}:{seconds}:{window}"
        if cache.add(key, 1, timeout=seconds + 1):
            used = 1
        else:
            try:
                used = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=seconds + 1)
                used = 1
        if used > count:
            allowed = False
    return allowed
