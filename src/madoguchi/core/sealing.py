"""Sealing: short-lived secrets kept encrypted at rest (AES-256-GCM, key derived from SECRET_KEY).

For what must be read back later — the access code, a resume or correction link, a booking PIN
waiting in the notification outbox until its mail is sent. What only needs to be *compared*
(a code typed back in) is hashed instead (the keyed HMAC helper), never sealed.

Each purpose has its own key (HKDF over SECRET_KEY with the purpose as `info`), so a value sealed
for one purpose cannot be opened as another. Values sealed under a key in SECRET_KEY_FALLBACKS
can still be opened after a key rotation; new values use SECRET_KEY.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "s1"
NONCE_BYTES = 12


class SealBroken(Exception):
    """The sealed value cannot be opened: tampered with, another purpose, or a key no longer kept."""


def _key(secret_key: str, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"madoguchi.core.sealing",
        info=purpose.encode(),
    ).derive(secret_key.encode())


def seal(plaintext: str, *, purpose: str) -> str:
    """An ASCII token holding `plaintext` encrypted and authenticated for `purpose`."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(settings.SECRET_KEY, purpose)).encrypt(
        nonce, plaintext.encode(), purpose.encode()
    )
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(token: str, *, purpose: str) -> str:
    """The plaintext of a token made by `seal` for the same purpose; else `SealBroken`."""
    version, _, payload = token.partition(".")
    if version != VERSION:
        raise SealBroken("unknown format")
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
    except ValueError as exc:
        raise SealBroken("not base64") from exc
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    for secret_key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])):
        try:
            plaintext = AESGCM(_key(secret_key, purpose)).decrypt(nonce, sealed, purpose.encode())
        except (InvalidTag, ValueError):
            continue
        return plaintext.decode()
    raise SealBroken("no key opens it")
