"""The manifest parser registry: one parser per file-name ending, more can be registered.

from madoguchi.intake.parsers import register
register(MyCsvManifestParser())   # handles manifest.csv from then on
"""

from __future__ import annotations

from .base import Manifest, ManifestError, ManifestParser
from .json_manifest import JsonManifestParser
from .xml_manifest import XmlManifestParser

_REGISTRY: dict[str, ManifestParser] = {}


def register(parser: ManifestParser) -> None:
    _REGISTRY[parser.suffix.lower()] = parser


def parser_for(member_name: str) -> ManifestParser | None:
    """The parser for a manifest member name such as "applications/123/manifest.json"."""
    base = member_name.rsplit("/", 1)[-1].lower()
    stem, dot, ext = base.rpartition(".")
    if stem != "manifest" or not dot:
        return None
    return _REGISTRY.get(f".{ext}")


def manifest_names() -> frozenset[str]:
    return frozenset(f"manifest{suffix}" for suffix in _REGISTRY)


register(JsonManifestParser())
register(XmlManifestParser())

__all__ = [
    "Manifest",
    "ManifestError",
    "ManifestParser",
    "manifest_names",
    "parser_for",
    "register",
]
