"""The primitives of reading a form definition: path-named errors and checked scalars.

Shared by the parser (definition.py) and the field types (fields/), which read their own
attributes with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definition import Option

# Lower-case ASCII words joined by single underscores: also safe inside HTML names, where
# "__" separates the parts of a path.
KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_KEY = KEY
_DATE_BOUND = re.compile(r"today(?:([+-])([0-9]{1,4})([dmy]))?|[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_KEY_LENGTH = 50
MAX_GROUP_ITEMS = 50
# What an option of a choice may carry.
OPTION_ATTRIBUTES = frozenset({"value", "label", "label_en"})


class DefinitionError(ValueError):
    """A form definition that cannot be used; `path` names the offending place."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


def resolve_date_bound(bound: str, today: date) -> date:
    """ "today", "today-18y", "today+30d", "today-6m" or an ISO date, as a date."""
    match = _DATE_BOUND.fullmatch(bound)
    if match is None:
        raise ValueError(bound)
    if not bound.startswith("today"):
        return date.fromisoformat(bound)
    if match.group(1) is None:
        return today
    amount = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
    unit = match.group(3)
    if unit == "d":
        return date.fromordinal(today.toordinal() + amount)
    months = today.year * 12 + today.month - 1 + (amount * 12 if unit == "y" else amount)
    year, month = divmod(months, 12)
    month += 1
    # 29 February minus a year, or 31 March minus a month: the last day of that month.
    day = today.day
    while day > 28:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1
    return date(year, month, day)


def _mapping(data: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise DefinitionError(path, "expected an object")
    return data


def _list(data: Any, path: str) -> list[Any]:
    if not isinstance(data, list):
        raise DefinitionError(path, "expected a list")
    return data


def _known_keys(obj: Mapping[str, Any], path: str, allowed: frozenset[str] | set[str]) -> None:
    for name in obj:
        if name not in allowed:
            where = f"{path}.{name}" if path else str(name)
            raise DefinitionError(where, f"unknown attribute {name!r}")


def _key(obj: Mapping[str, Any], path: str) -> str:
    key = obj.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > _MAX_KEY_LENGTH:
        raise DefinitionError(
            f"{path}.key",
            f"bad key {key!r}: use lower-case letters, digits and single underscores, "
            f"starting with a letter (at most {_MAX_KEY_LENGTH} characters)",
        )
    return key


def _text(obj: Mapping[str, Any], name: str, path: str, *, required: bool = True) -> str:
    value = obj.get(name)
    if value is None:
        if required:
            raise DefinitionError(f"{path}.{name}" if path else name, "required")
        return ""
    if not isinstance(value, str):
        raise DefinitionError(f"{path}.{name}" if path else name, "expected a string")
    if required and not value.strip():
        raise DefinitionError(f"{path}.{name}", "must not be empty")
    return value


def _bool(obj: Mapping[str, Any], name: str, path: str, *, default: bool) -> bool:
    value = obj.get(name, default)
    if not isinstance(value, bool):
        raise DefinitionError(f"{path}.{name}", "expected true or false")
    return value


def _int(
    obj: Mapping[str, Any],
    name: str,
    path: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{path}.{name}", "expected an integer")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise DefinitionError(f"{path}.{name}", f"out of range ({minimum}–{maximum})")
    return value


def _options(data: Any, path: str) -> tuple[Option, ...]:
    from .definition import Option

    raw = _list(data, path)
    if not raw:
        raise DefinitionError(path, "at least one option is needed")
    options: list[Option] = []
    values: set[str] = set()
    for i, item in enumerate(raw):
        opath = f"{path}[{i}]"
        obj = _mapping(item, opath)
        _known_keys(obj, opath, OPTION_ATTRIBUTES)
        value = obj.get("value")
        if not isinstance(value, str) or not _KEY.fullmatch(value):
            raise DefinitionError(
                f"{opath}.value", f"bad option value {value!r}: use lower-case letters, digits, _"
            )
        if value in values:
            raise DefinitionError(f"{opath}.value", f"duplicate option value {value!r}")
        values.add(value)
        options.append(
            Option(value, _text(obj, "label", opath), _text(obj, "label_en", opath, required=False))
        )
    return tuple(options)


mapping = _mapping
as_list = _list
known_keys = _known_keys
read_key = _key
read_text = _text
read_bool = _bool
read_int = _int
read_options = _options
