"""Keyed hashes of secrets: the one helper for access codes, booking PINs, links and API tokens.

A plain hash of a short code (an 8-digit access code, a 6-digit booking PIN) is reversed offline
in seconds by whoever reads a backup. A keyed HMAC also needs SECRET_KEY, which is not in the
database. Every hash names its purpose, so a value hashed for one use never matches another.
Checks accept hashes made with SECRET_KEY_FALLBACKS too (a key rotation locks nobody out) and
compare in constant time, without stopping at the first match.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils.crypto import salted_hmac

_NAMESPACE = "madoguchi."


def keyed_hash(
    value: str, *, purpose: str, algorithm: str = "sha256", secret: str | None = None
) -> str:
    """HMAC of `value` with a key derived from SECRET_KEY and `purpose` (hex digest).

    `algorithm` exists for the hashes reservations stored before this helper (HMAC-SHA1,
    still sound as a MAC); new uses keep the default.
    """
    return salted_hmac(_NAMESPACE + purpose, value, secret=secret, algorithm=algorithm).hexdigest()


def candidate_hashes(
    value: str,
    *,
    purpose: str,
    algorithm: str = "sha256",
    legacy: Sequence[Callable[[str], str]] = (),
) -> list[str]:
    """Every hash a stored row may hold for `value`: the current key first, then the fallback
    keys, then older formats (`legacy`). For look-ups: ``filter(token_hash__in=...)``."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    hashes = [keyed_hash(value, purpose=purpose, algorithm=algorithm, secret=k) for k in keys]
    return hashes + [old(value) for old in legacy]


def matches(
    value: str,
    stored: str,
    *,
    purpose: str,
    algorithm: str = "sha256",
    legacy: Sequence[Callable[[str], str]] = (),
) -> bool:
    """Whether `stored` is a hash of `value` for `purpose` (constant time over all candidates)."""
    found = False
    for candidate in candidate_hashes(value, purpose=purpose, algorithm=algorithm, legacy=legacy):
        found |= equal(candidate, stored)
    return found


def equal(a: str, b: str) -> bool:
    """Constant-time comparison of two strings (digests, tokens)."""
    return hmac.compare_digest(a.encode(), b.encode())
