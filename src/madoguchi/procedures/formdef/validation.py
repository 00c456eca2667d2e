"""Server-side validation of answers and evaluation of conditions, for every channel.

`validate_fields` is the single place where requiredness, conditions and the per-type cleaners
meet; the HTML step forms and `validate_answers` (final submission, JSON API) both call it.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .conditions import evaluate, field_applies, field_is_required
from .definition import Field, FormDefinition, Step

__all__ = [
    "Errors",
    "FieldsResult",
    "evaluate",
    "field_applies",
    "field_is_required",
    "prune_hidden",
    "today_local",
    "validate_answers",
    "validate_field",
    "validate_fields",
    "visible_steps",
]

Errors = dict[str, list[str]]


def today_local() -> date:
    return timezone.localdate()


@dataclass
class FieldsResult:
    values: dict[str, Any]
    errors: Errors


def validate_fields(
    fields: Sequence[Field],
    raw: Mapping[str, Any],
    *,
    context: Mapping[str, Any],
    prefix: str = "",
    today: date,
    channel: str = "online",
) -> FieldsResult:
    """Clean the fields of one scope (a step, or one item of a group), in document order.

    `context` holds the normalised answers outside this scope (other steps; for a group item,
    the whole form) for conditions. Hidden fields are left out of the result, so a hidden
    branch is never required and never kept.
    """
    values: dict[str, Any] = {}
    errors: Errors = {}
    lookup = ChainMap(values, dict(context))
    for field in fields:
        if not field_applies(field, channel):
            continue
        if field.when is not None and not evaluate(field.when, lookup):
            continue
        path = f"{prefix}{field.key}"
        value, field_errors = validate_field(
            field,
            raw.get(field.key),
            lookup=lookup,
            path=path,
            today=today,
            channel=channel,
        )
        values[field.key] = value
        errors.update(field_errors)
    return FieldsResult(values, errors)


def validate_field(
    field: Field,
    raw: Any,
    *,
    lookup: Mapping[str, Any],
    path: str,
    today: date,
    channel: str = "online",
) -> tuple[Any, Errors]:
    """Normalise one visible field; return (value or None, errors keyed by path)."""
    return field.kind.validate(field, raw, lookup=lookup, path=path, today=today, channel=channel)


def prune_hidden(
    definition: FormDefinition, answers: Mapping[str, Any], *, channel: str = "online"
) -> dict[str, Any]:
    """The answers with every value of a hidden step or field removed (no validation)."""
    kept: dict[str, Any] = {}
    for step in definition.steps:
        if step.when is not None and not evaluate(step.when, kept):
            continue
        for field in step.fields:
            if not field_applies(field, channel):
                continue
            if field.when is not None and not evaluate(field.when, kept):
                continue
            if field.key not in answers:
                continue
            value = answers[field.key]
            if field.kind.repeats and isinstance(value, list):
                value = [_prune_item(field, item, kept, channel) for item in value]
            kept[field.key] = value
    return kept


def _prune_item(field: Field, item: Any, outer: Mapping[str, Any], channel: str) -> Any:
    if not isinstance(item, Mapping):
        return item
    kept: dict[str, Any] = {}
    lookup = ChainMap(kept, dict(outer))
    for sub in field.fields:
        if not field_applies(sub, channel):
            continue
        if sub.when is not None and not evaluate(sub.when, lookup):
            continue
        if sub.key in item:
            kept[sub.key] = item[sub.key]
    return kept


def visible_steps(
    definition: FormDefinition, answers: Mapping[str, Any], *, channel: str = "online"
) -> list[Step]:
    """The steps whose conditions hold for these answers and that ask something on `channel`."""
    kept = prune_hidden(definition, answers, channel=channel)
    return [
        step
        for step in definition.steps
        if (step.when is None or evaluate(step.when, kept))
        and any(channel in f.channels for f in step.fields)
    ]


def validate_answers(
    definition: FormDefinition,
    raw_answers: Mapping[str, Any],
    *,
    today: date | None = None,
    channel: str = "online",
) -> tuple[dict[str, Any], Errors]:
    """Validate a whole submission; return (normalised answers, errors keyed by field path).

    Raw values come in the same shapes as the normalised ones, but may be typed loosely (和暦
    dates, hiragana kana, full-width digits). A file field is satisfied by an attachment
    reference dict. Unknown keys are dropped; hidden fields are left out.
    """
    today = today or today_local()
    if not isinstance(raw_answers, Mapping):
        return {}, {"": [str(_("回答の形式が正しくありません。"))]}
    values: dict[str, Any] = {}
    errors: Errors = {}
    for step in definition.steps:
        if step.when is not None and not evaluate(step.when, values):
            continue
        result = validate_fields(
            step.fields, raw_answers, context=values, today=today, channel=channel
        )
        values.update(result.values)
        errors.update(result.errors)
    return values, errors
