"""`phone`: a Japanese telephone number, stored hyphenated."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from madoguchi.core.phone import normalize_phone

from .base import FieldError, FieldType, messages_of, register, text_input

if TYPE_CHECKING:
    from ..definition import Field
    from ..views import InputView


@register
class PhoneType(FieldType):
    name = "phone"
    roles = frozenset({"applicant_phone"})

    def clean(self, field: Field, raw: Any, *, today: date) -> str:
        try:
            return normalize_phone(text_input(raw))
        except ValidationError as exc:
            raise FieldError({"": messages_of(exc)}) from None

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        view.kind = "tel"
        view.inputmode = "tel"
        view.width = "medium"
        view.maxlength = 20
        view.autocomplete = autocomplete or "off"
