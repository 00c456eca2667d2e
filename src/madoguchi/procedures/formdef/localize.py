"""Show a form definition in the reader's language.

Definitions carry Japanese text (`label`, `help`, `title`, `description`, a group's `item_label`
and `add_label`, an option's `label`) and optional English beside it (`label_en`, …: every
`<name>_en` attribute the parser accepts). For an English reader the English
text takes the Japanese text's place before parsing, so every screen, summary and error message that names a field follows along;
answers are keyed by field key and are the same in every language.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _translated() -> tuple[str, ...]:
    """The texts with an English version: every `<name>_en` attribute the parser accepts."""
    from .definition import accepted_attributes

    names = set().union(*accepted_attributes().values())
    return tuple(sorted(n.removesuffix("_en") for n in names if n.endswith("_en")))


def localize_definition_data(data: Any, language: str) -> Any:
    """A copy of the definition's JSON with the `<key>_en` texts in place, for English."""
    if not (language or "").startswith("en"):
        return data
    return _swap(data)


def _swap(node: Any) -> Any:
    if isinstance(node, list):
        return [_swap(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _swap(value) for key, value in node.items()}
    for key in _translated():
        english = node.get(f"{key}_en")
        if isinstance(english, str) and english.strip():
            out[key] = english
    return out
