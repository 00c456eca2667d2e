"""Evaluating conditions against normalised answers (shared by the engine and the field types)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definition import Condition, Field


def evaluate(condition: Condition, lookup: Mapping[str, Any]) -> bool:
    """Evaluate a condition against normalised answers (missing or hidden answers are None)."""
    if condition.op == "all":
        return all(evaluate(c, lookup) for c in condition.conditions)
    if condition.op == "any":
        return any(evaluate(c, lookup) for c in condition.conditions)
    value = lookup.get(condition.field)
    if condition.op == "filled":
        filled = value not in (None, "", [], False)
        return filled is condition.value
    if isinstance(value, list):  # multi_choice: "equals" means "includes"
        if condition.op == "equals":
            return condition.value in value
        if condition.op == "not_equals":
            return condition.value not in value
        hit = any(v in condition.value for v in value)
        return hit if condition.op == "in" else not hit
    if condition.op == "equals":
        return bool(value == condition.value)
    if condition.op == "not_equals":
        return bool(value != condition.value)
    if condition.op == "in":
        return value in condition.value
    return value not in condition.value  # not_in


def field_is_required(field: Field, lookup: Mapping[str, Any]) -> bool:
    if field.required:
        return True
    return field.required_when is not None and evaluate(field.required_when, lookup)


def field_applies(field: Field, channel: str) -> bool:
    return field.holds_value and channel in field.channels
