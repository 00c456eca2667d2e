"""Receipt numbers, access codes and resume tokens: random, short to read out, never personal."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.utils.crypto import salted_hmac

from madoguchi.core.japanese_text import normalize_input
from madoguchi.core.secrets import candidate_hashes, equal, keyed_hash, matches


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


# Salts of access codes hashed with the keyed HMAC start with this mark; older rows (a plain
# salted SHA-256, from before core.secrets) have a bare hex salt and are still verified.
KEYED_SALT_MARK = "k1$"
_ACCESS_CODE = "applications.access-code"
_LINK_TOKEN = "applications.link-token"  # noqa: S105 (a purpose, not a secret)


def _legacy_hash(secret: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def hash_secret(secret: str, salt: str = "") -> str:
    """The stored hash of an access code (with its salt) or of a link token (no salt)."""
    if salt and not salt.startswith(KEYED_SALT_MARK):
        return _legacy_hash(secret, salt)
    return keyed_hash(f"{salt}:{secret}", purpose=_ACCESS_CODE if salt else _LINK_TOKEN)


def access_code_matches(*, code: str, salt: str, stored: str) -> bool:
    """Whether `code` opens the application whose hash and salt are `stored`, `salt`."""
    if not salt.startswith(KEYED_SALT_MARK):
        return equal(_legacy_hash(code, salt), stored)
    return matches(f"{salt}:{code}", stored, purpose=_ACCESS_CODE)


def token_hashes(token: str) -> list[str]:
    """Every hash a row may hold for a resume or correction link token (for look-ups)."""
    return candidate_hashes(f":{token}", purpose=_LINK_TOKEN, legacy=[_legacy_hash_unsalted])


def _legacy_hash_unsalted(value: str) -> str:
    # candidate_hashes passes ":<token>", which is exactly what the old format hashed.
    return hashlib.sha256(value.encode()).hexdigest()


def new_salt() -> str:
    return KEYED_SALT_MARK + secrets.token_hex(14)


def new_resume_token() -> str:
    return secrets.token_urlsafe(32)


def _keyed(purpose: str, value: str) -> str:
    return salted_hmac(f"madoguchi.applications.{purpose}", value, algorithm="sha256").hexdigest()


def idempotency_key_hash(*, municipality_code: str, key: str) -> str:
    """What is stored of an API client's Idempotency-Key (keyed: the key itself is a secret)."""
    return _keyed("idempotency-key", f"{municipality_code}:{key}")


def request_digest(payload: str) -> str:
    """Keyed digest of a request body, to tell a retry from a key reused for another request."""
    return _keyed("request-digest", payload)


def access_code_for_idempotency_key(*, municipality_code: str, key: str) -> str:
    """The access code of an API submission sent with an Idempotency-Key.

    Derived from the key (keyed HMAC) rather than drawn at random, so that a retry of the same
    request (same key, same body) can be answered with the same access code although only its
    hash is stored. Knowing the key and the whole body is knowing the submission itself.
    """
    return f"{int(_keyed('access-code', f'{municipality_code}:{key}'), 16) % 10**8:08d}"
