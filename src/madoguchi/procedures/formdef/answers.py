"""Reading and writing answers by field path ("id_document", "children.0.certificate")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def get_answer(answers: Mapping[str, Any], path: str) -> Any:
    """The value at `path`, or None if any part is missing."""
    current: Any = answers
    for part in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def set_answer(answers: dict[str, Any], path: str, value: Any) -> None:
    """Put `value` at `path` in place; group items along the path must already exist.

    The journey uses it to record an attachment reference after storing an upload:
    ``set_answer(answers, "children.0.certificate", {"attachment": "…", "name": "…", …})``.
    """
    parts = path.split(".")
    current: Any = answers
    for part in parts[:-1]:
        current = current[int(part)] if isinstance(current, list) else current.setdefault(part, {})
    if isinstance(current, list):
        current[int(parts[-1])] = value
    else:
        current[parts[-1]] = value
