"""`address`: 住所 as prefecture (one of the 47), city, street and building."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from .base import (
    ColumnPart,
    CompoundType,
    FieldError,
    card_text,
    register,
    text_input,
)

if TYPE_CHECKING:
    from ..definition import Field
    from ..forms import StepForm
    from ..views import FieldView

PREFECTURES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)

ADDRESS_PARTS = ("prefecture", "city", "street", "building")
ADDRESS_PART_MAX = 100
_AUTOCOMPLETE = {
    "prefecture": "address-level1",
    "city": "address-level2",
    "street": "address-line1",
    "building": "address-line2",
}
# The city part of an address written in one line: a 郡's town or village, a designated
# city's ward, or a city, ward (東京23区), town or village — the shortest that fits.
_CITY = re.compile(r"(.+?郡.+?[町村]|.+?市.+?区|.+?[市区町村])")


def part_label(part: str) -> str:
    """The label of an address part in messages, translated only when a message needs it."""
    labels = {
        "prefecture": _("都道府県"),
        "city": _("市区町村"),
        "street": _("町名・番地"),
        "building": _("建物名・部屋番号"),
    }
    return str(labels[part])


def split_address(text: str) -> dict[str, str]:
    """「東京都千代田区霞が関１丁目２番３号　○○ビル」 → prefecture, city, street, building.

    A heuristic for one-line addresses (the card's): staff check the result on screen. Text after
    the first space is the building.
    """
    line, _space, building = re.sub(r"[\s\u3000]+", " ", text).strip().partition(" ")
    prefecture = next((p for p in PREFECTURES if line.startswith(p)), "")
    rest = line[len(prefecture) :]
    city = ""
    match = _CITY.match(rest)
    if match is not None and len(match[0]) < len(rest):
        # 市 inside a city's own name (四日市市, 廿日市市): take the longer 〜市市 form.
        city = match[0]
        if rest.startswith(city + "市"):
            city += "市"
    street = rest[len(city) :]
    return {"prefecture": prefecture, "city": city, "street": street, "building": building}


@register
class AddressType(CompoundType):
    name = "address"
    roles = frozenset({"applicant_address"})
    card_attributes = frozenset({"address"})
    template = "address"
    all_parts = ADDRESS_PARTS

    def clean(self, field: Field, raw: Any, *, today: date) -> dict[str, str]:
        if not isinstance(raw, Mapping):
            raise FieldError.single(_("住所の形式が正しくありません。"))
        errors: dict[str, list[str]] = {}
        value: dict[str, str] = {}
        for part in ADDRESS_PARTS:
            try:
                text = text_input(raw.get(part))
            except FieldError as exc:
                errors[part] = exc.errors[""]
                continue
            if len(text) > ADDRESS_PART_MAX:
                errors[part] = [
                    str(
                        _("%(what)sは%(max)d文字以内で入力してください。")
                        % {"what": part_label(part), "max": ADDRESS_PART_MAX}
                    )
                ]
                continue
            value[part] = text
            if not text and part != "building":
                if part == "prefecture":
                    errors[part] = [str(_("都道府県を選んでください。"))]
                else:
                    errors[part] = [
                        str(_("%(what)sを入力してください。") % {"what": part_label(part)})
                    ]
        prefecture = value.get("prefecture", "")
        if prefecture and prefecture not in PREFECTURES:
            errors["prefecture"] = [str(_("都道府県を一覧から選んでください。"))]
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
        from ..views import Choice, InputView

        labels = {
            "prefecture": _("都道府県"),
            "city": _("市区町村"),
            "street": _("町名・番地"),
            "building": _("建物名・部屋番号（あれば）"),
        }
        for part in ADDRESS_PARTS:
            input_view = InputView(
                name=f"{view.name}__{part}",
                id=f"{view.id}__{part}",
                label=str(labels[part]),
                value=value.get(part, ""),
                autocomplete=_AUTOCOMPLETE[part] if field.role == "applicant_address" else "off",
                maxlength=ADDRESS_PART_MAX,
                errors=errors.get(f"{path}.{part}", []),
            )
            if part == "prefecture":
                input_view.kind = "select"
                input_view.width = "medium"
                input_view.choices = [Choice(p, p, "", p == input_view.value) for p in PREFECTURES]
            view.inputs.append(input_view)

    def show(self, field: Field, value: Any) -> str:
        if not isinstance(value, Mapping):
            return str(value)
        line = "".join(str(value.get(p) or "") for p in ("prefecture", "city", "street"))
        building = value.get("building")
        return f"{line} {building}" if building else line

    def fill_from_card(self, field: Field, attributes: Mapping[str, Any]) -> Any:
        text = card_text(attributes, field.card)
        return split_address(text) if text else None

    def column_parts(self, field: Field) -> list[ColumnPart]:
        return [ColumnPart(p, part_label(p)) for p in ADDRESS_PARTS]
