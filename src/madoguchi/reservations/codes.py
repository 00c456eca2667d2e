"""Booking codes and their secrets: random, short to read out, stored only as keyed hashes."""

from __future__ import annotations

import secrets

from madoguchi.core.japanese_text import normalize_input
from madoguchi.core.secrets import keyed_hash

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def booking_code_normalize(text: str) -> str:
    """Accept 全角, lower case, spaces and hyphens as people type (or a scanner sends) them."""
    s = normalize_input(text or "").upper()
    return "".join(ch for ch in s if ch.isascii() and ch.isalnum())[: CODE_LENGTH * 2]


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


def secret_for(*, submission_token: str) -> str:
    """The booking's 6-digit secret, derived from the form's one-time token.

    Derived rather than random so a double-submitted form shows the same secret again
    without keeping it in clear anywhere.
    """
    digest = keyed_hash(submission_token, purpose="reservations.secret", algorithm="sha1")
    return f"{int(digest[:12], 16) % 10**6:06d}"


# HMAC-SHA1, as stored before core.secrets (sound as a MAC; existing bookings keep verifying).
SECRET_HASH_PURPOSE = "reservations.secret-hash"  # noqa: S105 (a purpose)


def secret_hash(*, code: str, secret: str) -> str:
    secret = "".join(ch for ch in normalize_input(secret or "") if ch.isdigit())
    return keyed_hash(f"{code}:{secret}", purpose=SECRET_HASH_PURPOSE, algorithm="sha1")


def contact_hash(*, phone: str, email: str) -> str:
    """Identifies a person for the per-person limit without storing a searchable contact."""
    key = "".join(ch for ch in phone if ch.isdigit()) or email.strip().lower()
    # HMAC-SHA1 as before core.secrets: equal hashes must keep finding the same person.
    return keyed_hash(key, purpose="reservations.contact", algorithm="sha1")


MANAGE_LINK_PURPOSE = "reservations.manage-link"


def manage_token(*, code: str, secret_hash: str) -> str:
    """The secret part of a booking's manage link (in its mails), derived, never stored.

    Derived from the booking's stored secret hash with its own key, so every mail about the
    booking carries the same working link, and it stops working if the PIN is ever reissued.
    """
    return keyed_hash(f"{code}:{secret_hash}", purpose=MANAGE_LINK_PURPOSE)[:32]
