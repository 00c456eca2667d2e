"""The payload mode's key of each municipality: HKDF over SECRET_KEY with its code as `info`.

A counter on the closed network (LGWAN) holding the same SECRET_KEY derives the same key and
reads a payload without the internet side; a payload sealed for one municipality cannot be
opened with another's key. Keys in SECRET_KEY_FALLBACKS still open payloads after a rotation.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_SALT = b"madoguchi.counter.preinput-payload"


def _derive(secret_key: str, municipality_code: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=_SALT, info=municipality_code.encode()
    ).derive(secret_key.encode())


def sealing_key(municipality_code: str) -> bytes:
    return _derive(settings.SECRET_KEY, municipality_code)


def opening_keys(municipality_code: str) -> list[bytes]:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_derive(s, municipality_code) for s in secrets]
