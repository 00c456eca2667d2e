"""The standard library: one JSON file per procedure, in the import format of `procedure_import`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LIBRARY_DIR = Path(__file__).resolve().parent


def library_paths() -> list[Path]:
    return sorted(LIBRARY_DIR.glob("*.json"))


@cache
def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_library() -> list[dict[str, Any]]:
    """Every library entry, sorted by file name (copies: callers may change them)."""
    return [json.loads(json.dumps(_load(path))) for path in library_paths()]


LIFE_EVENTS_PATH = LIBRARY_DIR / "life_events" / "standard.json"


def load_life_events() -> list[dict[str, Any]]:
    """The standard life events (slug, names, descriptions, keywords, procedure slugs)."""
    data: list[dict[str, Any]] = json.loads(LIFE_EVENTS_PATH.read_text(encoding="utf-8"))
    return data
