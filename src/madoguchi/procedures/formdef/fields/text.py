"""`text`: one line, with an optional format (digits, katakana, alphanumeric) and length limits."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from madoguchi.core.japanese_text import is_katakana_name, to_katakana_name

from ..parsing import DefinitionError, read_int, read_text
from .base import FieldError, FieldType, ParseContext, register, text_input

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..views import InputView

TEXT_FORMATS = frozenset({"", "digits", "katakana", "alphanumeric"})
TEXT_DEFAULT_MAX = 200


def parse_length(obj: Mapping[str, Any], path: str, attrs: dict[str, Any]) -> None:
    attrs["min_length"] = read_int(obj, "min_length", path, minimum=0)
    attrs["max_length"] = read_int(obj, "max_length", path, minimum=1, maximum=20000)


def check_length(field: Field, text: str, default_max: int) -> None:
    maximum = field.max_length or default_max
    if len(text) > maximum:
        raise FieldError.single(
            _("%(label)sは%(max)d文字以内で入力してください（いまは%(count)d文字です）。")
            % {"label": field.label, "max": maximum, "count": len(text)}
        )
    if field.min_length and len(text) < field.min_length:
        raise FieldError.single(
            _("%(label)sは%(min)d文字以上で入力してください。")
            % {"label": field.label, "min": field.min_length}
        )


@register
class TextType(FieldType):
    name = "text"
    attributes = frozenset({"min_length", "max_length", "format"})
    drives_conditions = True

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        parse_length(field_data, path, attrs)
        fmt = read_text(field_data, "format", path, required=False)
        if fmt not in TEXT_FORMATS:
            raise DefinitionError(f"{path}.format", f"unknown text format {fmt!r}")
        attrs["format"] = fmt

    def clean(self, field: Field, raw: Any, *, today: date) -> str:
        text = text_input(raw)
        if field.format == "digits":
            text = text.replace(" ", "").replace("-", "")
            if not (text.isascii() and text.isdigit()):
                raise FieldError.single(
                    _("%(label)sは数字だけで入力してください。") % {"label": field.label}
                )
        elif field.format == "katakana":
            text = to_katakana_name(text)
            if not is_katakana_name(text):
                raise FieldError.single(
                    _("%(label)sはカタカナで入力してください。") % {"label": field.label}
                )
        elif field.format == "alphanumeric":
            text = text.replace(" ", "").upper()
            if not (text.isascii() and text.isalnum()):
                raise FieldError.single(
                    _("%(label)sは半角の英字と数字で入力してください。") % {"label": field.label}
                )
        check_length(field, text, TEXT_DEFAULT_MAX)
        return text

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        view.maxlength = field.max_length or TEXT_DEFAULT_MAX
        if field.format == "digits":
            view.inputmode = "numeric"
            view.width = "medium"
