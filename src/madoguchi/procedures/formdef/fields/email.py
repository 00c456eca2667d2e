"""`email`: an e-mail address (domain lower-cased)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from .base import FieldError, FieldType, register, text_input

if TYPE_CHECKING:
    from ..definition import Field
    from ..views import InputView

EMAIL_MAX = 254
_email_validator = EmailValidator()


@register
class EmailType(FieldType):
    name = "email"
    roles = frozenset({"applicant_email"})

    def clean(self, field: Field, raw: Any, *, today: date) -> str:
        text = text_input(raw).replace(" ", "")
        local, at, domain = text.rpartition("@")
        text = f"{local}{at}{domain.lower()}" if at else text
        try:
            if len(text) > EMAIL_MAX:
                raise ValidationError("too long")
            _email_validator(text)
        except ValidationError:
            raise FieldError.single(
                _("メールアドレスを「example@example.jp」のような形で入力してください。")
            ) from None
        return text

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        view.kind = "email"
        view.inputmode = "email"
        view.maxlength = EMAIL_MAX
        view.autocomplete = autocomplete or "off"
