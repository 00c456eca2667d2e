"""`date`: typed as 和暦 or 西暦, stored as ISO `YYYY-MM-DD`, bounded by `min`/`max`."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.wareki import format_wareki, format_western, parse_date

from ..parsing import DefinitionError, read_text, resolve_date_bound
from .base import FieldError, FieldType, ParseContext, card_text, messages_of, register, text_input

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..definition import Field
    from ..views import InputView

_CARD_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})")


def format_date_display(d: date) -> str:
    """令和6年4月1日（2024年4月1日）; only 西暦 before 明治6年."""
    try:
        return f"{format_wareki(d)}（{format_western(d)}）"
    except ValueError:
        return format_western(d)


@register
class DateType(FieldType):
    name = "date"
    attributes = frozenset({"min", "max"})
    roles = frozenset({"applicant_birth_date"})
    card_attributes = frozenset({"birth_date"})
    example = _("例：昭和50年4月1日、1975年4月1日")

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        for attr, name in (("min_date", "min"), ("max_date", "max")):
            bound = read_text(field_data, name, path, required=False)
            if bound:
                try:
                    resolve_date_bound(bound, date(2000, 1, 1))
                except ValueError:
                    raise DefinitionError(
                        f"{path}.{name}",
                        f"bad date bound {bound!r}; use YYYY-MM-DD, today, today-18y, today+30d",
                    ) from None
            attrs[attr] = bound

    def clean(self, field: Field, raw: Any, *, today: date) -> str:
        if isinstance(raw, date):
            d = raw
        else:
            text = text_input(raw)
            try:
                d = parse_date(text)
            except ValidationError as exc:
                if exc.code == "invalid_format":
                    raise FieldError.single(
                        _(
                            "%(label)sは「昭和50年4月1日」または「1975年4月1日」の形で入力してください。"
                        )
                        % {"label": field.label}
                    ) from None
                raise FieldError({"": messages_of(exc)}) from None
        message: Any
        if field.max_date:
            latest = resolve_date_bound(field.max_date, today)
            if d > latest:
                if field.max_date == "today":
                    message = _("%(label)sに未来の日付は入力できません。日付を確かめてください。")
                else:
                    message = _("%(label)sは%(bound)sまでの日付を入力してください。")
                raise FieldError.single(
                    message % {"label": field.label, "bound": format_date_display(latest)}
                )
        if field.min_date:
            earliest = resolve_date_bound(field.min_date, today)
            if d < earliest:
                if field.min_date == "today":
                    message = _(
                        "%(label)sに過去の日付は入力できません。今日以降の日付を入力してください。"
                    )
                else:
                    message = _("%(label)sは%(bound)s以降の日付を入力してください。")
                raise FieldError.single(
                    message % {"label": field.label, "bound": format_date_display(earliest)}
                )
        return d.isoformat()

    def initial_display(self, field: Field, initial: Any) -> Any:
        if isinstance(initial, str) and initial:
            try:
                return format_wareki(date.fromisoformat(initial))
            except ValueError:
                return initial
        return super().initial_display(field, initial)

    def shape_input(self, field: Field, view: InputView, autocomplete: str) -> None:
        view.width = "medium"
        view.maxlength = 40

    def show(self, field: Field, value: Any) -> str:
        if isinstance(value, str):
            try:
                return format_date_display(date.fromisoformat(value))
            except ValueError:
                return value
        return str(value)

    def print_value(self, field: Field, value: Any) -> str:
        """和暦 only, as official forms write dates (西暦 before 明治6年)."""
        if not isinstance(value, str) or not value:
            return ""
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return value
        try:
            return format_wareki(d)
        except ValueError:
            return format_western(d)

    def fill_from_card(self, field: Field, attributes: Mapping[str, Any]) -> Any:
        """The card's birth date (`YYYY-MM-DD`, or `YYYYMMDD` as the card stores it)."""
        match = _CARD_DATE.fullmatch(card_text(attributes, field.card))
        if match is None:
            return None
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None

    def cell_display(self, field: Field, value: Any, text: str) -> str:
        try:
            return f"{format_wareki(date.fromisoformat(text))}（{text}）"
        except ValueError:
            return text
