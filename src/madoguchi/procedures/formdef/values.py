"""Answers' cleaning, as the engine calls it: dispatch to the field types (fields/).

Each cleaner takes a raw value in the JSON shape (strings typed by a person, possibly 和暦,
hiragana, full-width digits) and returns the normalised, JSON-serialisable value, or raises
FieldError with Japanese messages keyed by part ("" for the whole field, or "family_kana",
"prefecture" … for one input of a compound field). The rules themselves live in the type's
class; this module keeps the engine's entry points and the names other modules import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from .fields import registered
from .fields.address import ADDRESS_PART_MAX, ADDRESS_PARTS, PREFECTURES
from .fields.base import RAW_TEXT_LIMIT, FieldError, PendingUpload
from .fields.checkbox import CHECKBOX_FALSE, CHECKBOX_TRUE
from .fields.date import format_date_display
from .fields.email import EMAIL_MAX
from .fields.file import (
    ATTACHMENT_KEYS,
    FILE_KIND_LABELS,
    FILE_KIND_MIMES,
    accepted_labels,
    accepted_mimes,
    check_upload,
)
from .fields.long_text import LONG_TEXT_DEFAULT_MAX
from .fields.name import NAME_PART_MAX, NAME_PARTS
from .fields.postal_code import postal_display
from .fields.text import TEXT_DEFAULT_MAX

if TYPE_CHECKING:
    from .definition import Field

__all__ = [
    "ADDRESS_PARTS",
    "ADDRESS_PART_MAX",
    "ATTACHMENT_KEYS",
    "CHECKBOX_FALSE",
    "CHECKBOX_TRUE",
    "CLEANERS",
    "EMAIL_MAX",
    "FILE_KIND_LABELS",
    "FILE_KIND_MIMES",
    "LONG_TEXT_DEFAULT_MAX",
    "NAME_PARTS",
    "NAME_PART_MAX",
    "PREFECTURES",
    "RAW_TEXT_LIMIT",
    "TEXT_DEFAULT_MAX",
    "FieldError",
    "PendingUpload",
    "accepted_labels",
    "accepted_mimes",
    "check_upload",
    "clean_value",
    "format_date_display",
    "is_empty",
    "postal_display",
    "required_message",
]


def is_empty(field: Field, raw: Any) -> bool:
    """True if nothing was given for the field (before any validation)."""
    return field.kind.is_empty(field, raw)


def required_message(field: Field) -> str:
    return field.kind.required_message(field)


def clean_value(field: Field, raw: Any, *, today: date) -> Any:
    """Normalise one non-empty answer; raise FieldError. Groups are handled by the validator."""
    return field.kind.clean(field, raw, today=today)


def _cleaners() -> Mapping[str, Callable[..., Any]]:
    """The cleaner of every type holding a single answer (not display-only, not a group)."""
    return {
        name: kind.clean
        for name, kind in registered().items()
        if kind.holds_value and not kind.repeats
    }


CLEANERS: Mapping[str, Callable[..., Any]] = _cleaners()
