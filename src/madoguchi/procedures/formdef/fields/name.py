"""`name`: 氏名 as family and given name, with フリガナ (katakana) required, optional or not asked."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.kana import normalize_kana_name

from ..parsing import DefinitionError, read_text
from .base import (
    ColumnPart,
    CompoundType,
    FieldError,
    ParseContext,
    card_text,
    messages_of,
    register,
    split_card_words,
    text_input,
)

if TYPE_CHECKING:
    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView

NAME_PARTS = ("family", "given", "family_kana", "given_kana")
NAME_KANA_MODES = frozenset({"required", "optional", "none"})
NAME_PART_MAX = 50
_NAME_SYMBOLS = frozenset(" ・ー-'.,々〆ヶ")
_AUTOCOMPLETE = {"family": "family-name", "given": "given-name"}


def part_label(part: str) -> str:
    """The label of a name part in messages, translated only when a message needs it."""
    labels = {
        "family": _("姓"),
        "given": _("名"),
        "family_kana": _("フリガナ（セイ）"),
        "given_kana": _("フリガナ（メイ）"),
    }
    return str(labels[part])


def name_parts(field: Field) -> tuple[str, ...]:
    if field.kana == "none":
        return ("family", "given")
    return NAME_PARTS


def _clean_part(raw: Any, *, part: str) -> str:
    value = text_input(raw)
    if len(value) > NAME_PART_MAX:
        raise FieldError.single(
            _("%(what)sは%(max)d文字以内で入力してください。")
            % {"what": part_label(part), "max": NAME_PART_MAX},
            part,
        )
    for ch in value:
        if ch in _NAME_SYMBOLS or unicodedata.category(ch)[0] in "LM":
            continue
        raise FieldError.single(
            _(
                "%(what)sに使えない文字「%(char)s」が含まれています。"
                "住民票に記載されている文字で入力してください。"
            )
            % {"what": part_label(part), "char": ch if ch.isprintable() else "?"},
            part,
        )
    return value


@register
class NameType(CompoundType):
    name = "name"
    attributes = frozenset({"kana"})
    roles = frozenset({"applicant_name"})
    card_attributes = frozenset({"name"})
    template = "name"
    all_parts = NAME_PARTS

    def parse(
        self, field_data: Mapping[str, Any], path: str, attrs: dict[str, Any], ctx: ParseContext
    ) -> None:
        kana = read_text(field_data, "kana", path, required=False) or "required"
        if kana not in NAME_KANA_MODES:
            raise DefinitionError(
                f"{path}.kana", f"use one of {', '.join(sorted(NAME_KANA_MODES))}"
            )
        attrs["kana"] = kana

    def parts(self, field: Field) -> tuple[str, ...]:
        return name_parts(field)

    def clean(self, field: Field, raw: Any, *, today: date) -> dict[str, str]:
        if not isinstance(raw, Mapping):
            raise FieldError.single(
                _("氏名の形式が正しくありません。姓と名を分けて入力してください。")
            )
        errors: dict[str, list[str]] = {}
        value: dict[str, str] = {}
        for part in ("family", "given"):
            try:
                value[part] = _clean_part(raw.get(part), part=part)
            except FieldError as exc:
                errors.update(exc.errors)
                continue
            if not value[part]:
                errors[part] = [str(_("%(what)sを入力してください。") % {"what": part_label(part)})]
        for part in ("family_kana", "given_kana"):
            value[part] = ""
            if field.kana == "none":
                continue
            try:
                text = text_input(raw.get(part))
            except FieldError as exc:
                errors[part] = exc.errors[""]
                continue
            if not text:
                if field.kana == "required":
                    errors[part] = [
                        str(_("%(what)sを入力してください。") % {"what": part_label(part)})
                    ]
                continue
            try:
                value[part] = normalize_kana_name(text)
            except ValidationError as exc:
                errors[part] = messages_of(exc)
        if errors:
            raise FieldError(errors)
        return value

    def render(
        self,
        form: StepForm,
        view: FieldView,
        field: Field,
        path: str,
        value: Any,
        errors: dict[str, list[str]],
        autocomplete: str,
    ) -> None:
        from ..views import InputView

        labels = {
            "family": _("姓"),
            "given": _("名"),
            "family_kana": _("セイ（カタカナ）"),
            "given_kana": _("メイ（カタカナ）"),
        }
        for part in name_parts(field):
            view.inputs.append(
                InputView(
                    name=f"{view.name}__{part}",
                    id=f"{view.id}__{part}",
                    label=str(labels[part]),
                    value=value.get(part, ""),
                    autocomplete=_AUTOCOMPLETE.get(part, "off")
                    if field.role == "applicant_name" or part.endswith("kana")
                    else "off",
                    maxlength=NAME_PART_MAX,
                    width="medium",
                    errors=errors.get(f"{path}.{part}", []),
                )
            )

    def show(self, field: Field, value: Any) -> str:
        if not isinstance(value, Mapping):
            return str(value)
        name = " ".join(p for p in (value.get("family"), value.get("given")) if p)
        kana = " ".join(p for p in (value.get("family_kana"), value.get("given_kana")) if p)
        return f"{name}（{kana}）" if kana else name

    def print_value(self, field: Field, value: Any) -> str:
        """「山田　花子」: family and given name with an ideographic space, as forms write them."""
        if not isinstance(value, Mapping):
            return super().print_value(field, value)
        return "\u3000".join(p for p in (value.get("family"), value.get("given")) if p)

    def fill_from_card(self, field: Field, attributes: Mapping[str, Any]) -> Any:
        """The card's name (family and given name separated by a space, U+3000 on the card).

        Kana are left empty: the card has none, so staff ask or confirm the reading.
        """
        words = split_card_words(card_text(attributes, field.card))
        if not words:
            return None
        family, given = words[0], " ".join(words[1:])
        return {"family": family, "given": given, "family_kana": "", "given_kana": ""}

    def column_parts(self, field: Field) -> list[ColumnPart]:
        labels = {
            "family": _("姓"),
            "given": _("名"),
            "family_kana": _("セイ"),
            "given_kana": _("メイ"),
        }
        return [ColumnPart(p, str(labels[p])) for p in name_parts(field)]
