"""Receipt numbers, access codes and resume tokens: random, short to read out, never personal."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from madoguchi.core.japanese_text import normalize_input


def new_receipt_number(today: date) -> str:
    # Date + 6 random digits: readable over the phone; uniqueness is enforced by the database.
    return f"{today:%Y%m%d}-{secrets.randbelow(10**6):06d}"


def new_access_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def normalize_code(text: str) -> str:
    """Accept 全角 digits, spaces and hyphens as residents type them."""
    return "".join(ch for ch in normalize_input(text or "") if ch.isascii() and ch.isalnum())


# Stored instead of a hash where no access code was issued (bundle applications): no code's
# hash can equal it, so the status page never opens with one.
NO_ACCESS_CODE = "!"


def hash_secret(secret: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def new_resume_token() -> str:
    return secrets.token_urlsafe(32)
