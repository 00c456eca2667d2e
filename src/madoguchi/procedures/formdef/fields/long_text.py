"""`long_text`: several lines (a textarea), with length limits."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..parsing import DefinitionError, read_text
from .base import FieldType, ParseContext, register, text_input
from .text import check_length, parse_length

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..views import InputView

LONG_TEXT_DEFAULT_MAX = 2000


@register
class LongTextType(FieldType):
    name = "long_text"
    attributes = frozenset({"min_length", "max_length", "format"})

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        parse_length(field_data, path, attrs)
        fmt = read_text(field_data, "format", path, required=False)
        if fmt:  # accepted as an attribute, but a long text has no format
            raise DefinitionError(f"{path}.format", f"unknown text format {fmt!r}")

    def clean(self, field: Field, raw: Any, *, today: date) -> str:
        text = text_input(raw, multiline=True)
        check_length(field, text, LONG_TEXT_DEFAULT_MAX)
        return text

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        view.kind = "textarea"
        view.maxlength = field.max_length or LONG_TEXT_DEFAULT_MAX
