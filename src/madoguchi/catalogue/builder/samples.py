"""Sample answers for the live preview: what a resident might type, per field type.

Fields a My Number card can fill take the card's sample attributes through the type's own
`fill_from_card`; the others take a value from the table below (keyed by the type's class, so
a type added later simply starts empty). The result goes through the engine's validation, so
the preview shows them normalised as a resident's would be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from madoguchi.procedures.formdef import FormDefinition, validate_answers
from madoguchi.procedures.formdef.definition import Field
from madoguchi.procedures.formdef.fields.checkbox import CheckboxType
from madoguchi.procedures.formdef.fields.choice import ChoiceType
from madoguchi.procedures.formdef.fields.email import EmailType
from madoguchi.procedures.formdef.fields.long_text import LongTextType
from madoguchi.procedures.formdef.fields.multi_choice import MultiChoiceType
from madoguchi.procedures.formdef.fields.number import NumberType
from madoguchi.procedures.formdef.fields.phone import PhoneType
from madoguchi.procedures.formdef.fields.postal_code import PostalCodeType
from madoguchi.procedures.formdef.fields.text import TextType

SAMPLE_CARD = {
    "name": "見本　花子",
    "address": "東京都千代田区千代田1番1号",
    "birth_date": "19850401",
    "sex": "2",
}
# The card attribute that gives a sample for a type that can be filled from the card.
_CARD_FOR_SAMPLE = ("name", "address", "birth_date", "sex")

SAMPLES: dict[type, Callable[[Field], Any]] = {
    TextType: lambda f: "みほん",
    LongTextType: lambda f: "見本の文章です。",
    EmailType: lambda f: "sample@example.jp",
    PhoneType: lambda f: "03-1234-5678",
    PostalCodeType: lambda f: "100-0001",
    NumberType: lambda f: f.min_value if f.min_value is not None else 1,
    ChoiceType: lambda f: f.options[0].value if f.options else None,
    MultiChoiceType: lambda f: [f.options[0].value] if f.options else [],
    CheckboxType: lambda f: True,
}


def sample_value(field: Field) -> Any:
    kind = field.kind
    if kind.repeats:
        item = {sub.key: sample_value(sub) for sub in field.fields}
        return [{k: v for k, v in item.items() if v is not None}]
    for attribute in _CARD_FOR_SAMPLE:
        if attribute in kind.card_attributes:
            filled = kind.fill_from_card(replace(field, card=attribute), SAMPLE_CARD)
            if filled is not None:
                return filled
    make = SAMPLES.get(type(kind))
    return make(field) if make is not None else None


def sample_answers(definition: FormDefinition) -> dict[str, Any]:
    """Answers for every field that can have one, as the engine stores them."""
    raw = {}
    for f in definition.top_fields():
        if f.holds_value:
            value = sample_value(f)
            if value is not None:
                raw[f.key] = value
    answers, _errors = validate_answers(definition, raw)
    # What the engine refuses (a name without its kana: the card has none) is still shown as
    # typed, as a resident's half-filled answer would be.
    return {**raw, **{k: v for k, v in answers.items() if v is not None}}
