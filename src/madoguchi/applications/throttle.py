"""Attempt limits for looking up an application by receipt number and access code.

Failed look-ups are counted per municipality and client, so guessing codes is slow whether
through the status page or the API.
"""

from __future__ import annotations

from django.http import HttpRequest

from madoguchi.core import ratelimit

LIMIT = 20
WINDOW_SECONDS = 600


def _key(municipality_code: str, request: HttpRequest) -> str:
    return f"status-failures:{municipality_code}:{ratelimit.client_key(request)}"


def lookup_allowed(*, municipality_code: str, request: HttpRequest) -> bool:
    return ratelimit.count(_key(municipality_code, request)) < LIMIT


def lookup_failed(*, municipality_code: str, request: HttpRequest) -> None:
    ratelimit.increment(_key(municipality_code, request), seconds=WINDOW_SECONDS)
