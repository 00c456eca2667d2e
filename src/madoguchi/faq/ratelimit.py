"""Per-client rate limits for the resident chat, counted by core.ratelimit (fixed windows).

The client is the connecting address (REMOTE_ADDR; a reverse proxy in front must set it from the
forwarded header it trusts) plus the municipality. Counts are atomic in the shared default cache
(DatabaseCache, or Redis through CACHE_URL), so they hold across server processes.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from madoguchi.core import ratelimit

# (requests, seconds): a person typing never comes close; a script does.
DEFAULT_LIMITS: tuple[tuple[int, int], ...] = ((20, 60), (300, 24 * 3600))


def _limits() -> tuple[tuple[int, int], ...]:
    return tuple(getattr(settings, "FAQ_RATE_LIMITS", DEFAULT_LIMITS))


def hit(request: HttpRequest, *, scope: str) -> bool:
    """Count one request; False when the client is over a limit (the request must be refused)."""
    client = ratelimit.client_key(request)
    allowed = True
    for count, seconds in _limits():
        key = f"faq-rl:{scope}:{client}:{seconds}:{ratelimit.window_number(seconds)}"
        if ratelimit.increment(key, seconds=seconds + 1) > count:
            allowed = False
    return allowed
