"""What every manifest parser produces: a `Manifest` with the raw values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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


class ManifestParser(Protocol):
    """A manifest format: `suffix` is the file name ending it handles (".json")."""

    suffix: str

    def parse(self, data: bytes) -> Manifest: ...
