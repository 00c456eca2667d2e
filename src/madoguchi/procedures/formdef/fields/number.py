"""`number`: an integer, with optional bounds and a unit shown after the input."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from ..parsing import DefinitionError, read_int, read_text
from .base import FieldError, FieldType, ParseContext, register, text_input

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..views import InputView

_INTEGER = re.compile(r"-?[0-9]{1,15}")


@register
class NumberType(FieldType):
    name = "number"
    attributes = frozenset({"min", "max", "unit", "unit_en"})
    drives_conditions = True
    counts = True

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        low = read_int(field_data, "min", path)
        high = read_int(field_data, "max", path)
        if low is not None and high is not None and low > high:
            raise DefinitionError(f"{path}.min", "min is greater than max")
        attrs["min_value"] = low
        attrs["max_value"] = high
        attrs["unit"] = read_text(field_data, "unit", path, required=False)
        # The English text took the Japanese one's place before parsing (localize.py): checked here.
        read_text(field_data, "unit_en", path, required=False)

    def check_condition_value(self, field: Field, value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DefinitionError(path, "compare a number field with an integer")

    def clean(self, field: Field, raw: Any, *, today: date) -> int:
        if isinstance(raw, bool):
            raise FieldError.single(
                _("%(label)sは数字で入力してください。") % {"label": field.label}
            )
        if isinstance(raw, int):
            number = raw
        else:
            text = text_input(raw).replace(",", "").replace(" ", "")
            if text.endswith(field.unit) and field.unit:
                text = text.removesuffix(field.unit)
            if not _INTEGER.fullmatch(text):
                raise FieldError.single(
                    _("%(label)sは数字（整数）で入力してください。") % {"label": field.label}
                )
            number = int(text)
        low, high = field.min_value, field.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            params = {"label": field.label, "min": low, "max": high, "unit": field.unit}
            if low is not None and high is not None:
                message = _(
                    "%(label)sは%(min)d%(unit)sから%(max)d%(unit)sまでの数字で入力してください。"
                )
            elif low is not None:
                message = _("%(label)sは%(min)d%(unit)s以上の数字で入力してください。")
            else:
                message = _("%(label)sは%(max)d%(unit)s以下の数字で入力してください。")
            raise FieldError.single(message % params)
        return number

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        view.inputmode = "numeric"
        view.width = "short"
        view.maxlength = 16

    def show(self, field: Field, value: Any) -> str:
        return f"{value}{field.unit}"

    def cell_display(self, field: Field, value: Any, text: str) -> str:
        return f"{text}{field.unit}" if field.unit else text
