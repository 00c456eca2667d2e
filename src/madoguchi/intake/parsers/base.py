"""What every manifest parser produces: a `Manifest` with the raw values, not yet validated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _


class ManifestError(Exception):
    """The manifest cannot be read at all; `message` says why, in Japanese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Manifest:
    """One application as the bundle states it. Values are kept as found (strings where the
    format has strings); the import service checks them against the municipality's data.

    A file answer inside `form_data` is ``{"file": "<path relative to the manifest>"}``.
    """

    receipt_number: Any = None
    procedure: Any = None  # standard_code or slug
    form_version: Any = None
    submitted_at: Any = None
    applicant: dict[str, Any] = field(default_factory=dict)  # name, kana, birth_date, address
    certificate_serial: Any = None
    form_data: Any = None
    format_version: Any = 1


# Characters no database column can hold (NUL on PostgreSQL, lone surrogates in any UTF-8
# text) or that have no place in an application (other C0/C1 controls; tab and line breaks stay).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def unstorable_text_at(value: Any, path: str = "") -> str | None:
    """The path ("applicant.name", "form_data.items.0") of the first string — value or key —
    holding a control character or a lone surrogate; None if every string can be stored."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, current = stack.pop()
        if isinstance(current, str):
            if _UNSTORABLE.search(current):
                return where
        elif isinstance(current, dict):
            for key, sub in current.items():
                inner = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    return _UNSTORABLE.sub("?", inner)
                stack.append((inner, sub))
        elif isinstance(current, list):
            stack.extend((f"{where}.{i}", sub) for i, sub in enumerate(current))
    return None


def refuse_unstorable_text(manifest: Manifest) -> Manifest:
    """Raise ManifestError naming the field if any text of the manifest cannot be stored."""
    for name in (
        "receipt_number",
        "procedure",
        "form_version",
        "submitted_at",
        "applicant",
        "certificate_serial",
        "form_data",
        "format_version",
    ):
        where = unstorable_text_at(getattr(manifest, name), name)
        if where is not None:
            raise ManifestError(
                _("「%(field)s」に制御文字など使えない文字が含まれています。")
                % {"field": where[:100]}
            )
    return manifest


class ManifestParser(Protocol):
    """A manifest format: `suffix` is the file name ending it handles (".json")."""

    suffix: str

    def parse(self, data: bytes) -> Manifest: ...
