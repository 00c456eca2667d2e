"""The field-type registry: its duties beyond the engine's (card filling, printing) and how a
new type plugs in by one module."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.procedures.formdef import (
    DefinitionError,
    build_step_form,
    fill_from_card,
    parse_definition,
    print_items,
    print_value,
    summarize,
    validate_answers,
)
from madoguchi.procedures.formdef.definition import FIELD_TYPES
from madoguchi.procedures.formdef.fields import FieldError, FieldType, field_type, registered
from madoguchi.procedures.formdef.fields import base as registry_module
from madoguchi.procedures.formdef.fields.address import split_address

TODAY = date(2025, 6, 16)

CARD = {
    "name": "山田\u3000花子",
    "address": "東京都千代田区霞が関１丁目２番３号\u3000霞ビル２０１",
    "birth_date": "1975-04-01",
    "sex": "2",
}


def card_form(**extra: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "steps": [
            {
                "key": "applicant",
                "title": "申請者",
                "fields": [
                    {
                        "key": "name",
                        "type": "name",
                        "label": "氏名",
                        "kana": "optional",
                        "card": "name",
                        "role": "applicant_name",
                    },
                    {
                        "key": "birth",
                        "type": "date",
                        "label": "生年月日",
                        "max": "today",
                        "card": "birth_date",
                    },
                    {
                        "key": "sex",
                        "type": "choice",
                        "label": "性別",
                        "card": "sex",
                        "options": [
                            {"value": "male", "label": "男"},
                            {"value": "female", "label": "女"},
                        ],
                    },
                    {"key": "address", "type": "address", "label": "住所", "card": "address"},
                    {"key": "phone", "type": "phone", "label": "電話番号"},
                    *extra.get("fields", []),
                ],
            }
        ],
    }


def test_every_type_of_the_format_is_a_registered_class() -> None:
    assert set(registered()) == FIELD_TYPES
    assert {
        "name",
        "date",
        "postal_code",
        "address",
        "phone",
        "email",
        "choice",
        "multi_choice",
        "checkbox",
        "number",
        "text",
        "long_text",
        "file",
        "group",
        "notice",
    } == FIELD_TYPES
    for name, kind in registered().items():
        assert isinstance(kind, FieldType)
        assert kind.name == name


def test_card_attributes_fill_their_fields_and_pass_validation() -> None:
    definition = parse_definition(card_form())
    filled = fill_from_card(definition, CARD)
    assert filled == {
        "name": {"family": "山田", "given": "花子", "family_kana": "", "given_kana": ""},
        "birth": "1975-04-01",
        "sex": "female",
        "address": {
            "prefecture": "東京都",
            "city": "千代田区",
            "street": "霞が関１丁目２番３号",
            "building": "霞ビル２０１",
        },
    }
    answers, errors = validate_answers(definition, {**filled, "phone": "03-1234-5678"}, today=TODAY)
    assert errors == {}
    assert answers["birth"] == "1975-04-01"
    assert answers["address"]["street"] == "霞が関1丁目2番3号"  # normalised like typed input


def test_card_filling_skips_what_the_card_cannot_give() -> None:
    definition = parse_definition(card_form())
    filled = fill_from_card(
        definition, {"name": "", "birth_date": "19750231", "sex": "9", "address": None}
    )
    assert filled == {}  # no name, an impossible date, no option for "9", no address
    # The card's own YYYYMMDD form is read too.
    assert fill_from_card(definition, {"birth_date": "19750401"}) == {"birth": "1975-04-01"}


def test_a_field_without_card_is_never_filled() -> None:
    form = card_form()
    for f in form["steps"][0]["fields"]:
        f.pop("card", None)
    assert fill_from_card(parse_definition(form), CARD) == {}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"key": "x", "type": "text", "label": "X", "card": "name"}, "cannot be filled"),
        ({"key": "x", "type": "date", "label": "X", "card": "photo"}, "unknown card attribute"),
        (
            {
                "key": "x",
                "type": "choice",
                "label": "X",
                "card": "sex",
                "options": [{"value": "m", "label": "M"}, {"value": "f", "label": "F"}],
            },
            '"male" and "female"',
        ),
        (
            {
                "key": "x",
                "type": "group",
                "label": "X",
                "fields": [{"key": "n", "type": "name", "label": "N", "card": "name"}],
            },
            "not allowed inside a group",
        ),
    ],
)
def test_card_declarations_are_checked_when_parsing(field: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_definition(card_form(fields=[field]))
    assert message in str(raised.value)
    assert ".card" in raised.value.path


def test_split_address_finds_city_wards_and_districts() -> None:
    assert split_address("大阪府大阪市北区梅田１－１")["city"] == "大阪市北区"
    assert split_address("三重県四日市市諏訪町１番５号")["city"] == "四日市市"
    assert split_address("北海道虻田郡洞爺湖町栄町５８番地")["city"] == "虻田郡洞爺湖町"


def test_print_values_are_what_a_paper_form_shows() -> None:
    definition = parse_definition(
        card_form(
            fields=[
                {"key": "agree", "type": "checkbox", "label": "同意"},
                {"key": "count", "type": "number", "label": "通数", "unit": "通"},
                {"key": "postal", "type": "postal_code", "label": "郵便番号"},
                {"key": "note", "type": "text", "label": "備考"},
            ]
        )
    )

    def printed(key: str, value: Any) -> str:
        return print_value(definition.field(key), value)

    assert printed("name", {"family": "山田", "given": "花子", "family_kana": "ヤマダ"}) == (
        "山田\u3000花子"
    )
    assert printed("birth", "1975-04-01") == "昭和50年4月1日"
    assert printed("sex", "female") == "女"
    assert printed("agree", True) == "○"
    assert printed("agree", False) == ""
    assert printed("count", 2) == "2通"
    assert printed("postal", "1000013") == "〒100-0013"
    assert printed("note", None) == ""  # a blank box, not 「（未入力）」
    assert printed("address", {"prefecture": "東京都", "city": "千代田区", "street": "1"}) == (
        "東京都千代田区1"
    )


def test_print_items_follow_print_order_and_expand_groups() -> None:
    definition = parse_definition(
        {
            "format": 1,
            "steps": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {"key": "memo", "type": "text", "label": "メモ", "channels": ["online"]},
                        {"key": "phone", "type": "phone", "label": "電話番号", "print_order": 2},
                        {
                            "key": "name",
                            "type": "name",
                            "label": "氏名",
                            "print_label": "請求者氏名",
                            "print_order": 1,
                            "kana": "none",
                        },
                        {
                            "key": "children",
                            "type": "group",
                            "label": "子ども",
                            "item_label": "子ども{n}",
                            "fields": [
                                {"key": "birth", "type": "date", "label": "生年月日"},
                            ],
                        },
                    ],
                }
            ],
        }
    )
    answers = {
        "memo": "online only",
        "phone": "03-1234-5678",
        "name": {"family": "山田", "given": "太郎"},
        "children": [{"birth": "2020-05-05"}, {"birth": "2022-01-10"}],
    }
    items = [(i.path, i.label, i.value) for i in print_items(definition, answers)]
    assert items == [
        ("name", "請求者氏名", "山田\u3000太郎"),
        ("phone", "電話番号", "03-1234-5678"),
        ("children.0.birth", "子ども1 生年月日", "令和2年5月5日"),
        ("children.1.birth", "子ども2 生年月日", "令和4年1月10日"),
    ]


class _ColourType(FieldType):
    """A type defined outside the engine, as a new module in fields/ would define it."""

    name = "colour"
    attributes: ClassVar[frozenset[str]] = frozenset({"palette"})

    def parse(self, field_data: Any, path: str, attrs: dict[str, Any], ctx: Any) -> None:
        palette = field_data.get("palette", ["red", "blue"])
        attrs["options"] = tuple(palette)

    def clean(self, field: Any, raw: Any, *, today: date) -> str:
        value = str(raw).strip().lower()
        if value not in field.options:
            raise FieldError.single("色を選んでください。")
        return value

    def show(self, field: Any, value: Any) -> str:
        return {"red": "赤", "blue": "青"}.get(value, value)


@pytest.fixture
def colour_type() -> Any:
    registry_module.register(_ColourType)
    try:
        yield field_type("colour")
    finally:
        del registry_module._REGISTRY["colour"]


def test_a_new_type_needs_no_change_to_the_engine(colour_type: FieldType) -> None:
    from madoguchi.applications.handoff.layout import cell, columns_for, display

    definition = parse_definition(
        {
            "format": 1,
            "steps": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [{"key": "c", "type": "colour", "label": "色", "required": True}],
                }
            ],
        }
    )
    assert definition.field("c").kind is colour_type
    assert validate_answers(definition, {"c": " RED "}, today=TODAY) == ({"c": "red"}, {})
    assert validate_answers(definition, {"c": "green"}, today=TODAY)[1] == {
        "c": ["色を選んでください。"]
    }
    assert validate_answers(definition, {}, today=TODAY)[1] == {"c": ["色を入力してください。"]}
    assert summarize(definition, {"c": "blue"})[0].rows[0].value == "青"
    form = build_step_form(definition, "s", data={"c": "Blue"}, today=TODAY)
    assert form.is_valid()
    assert form.step_answers() == {"c": "blue"}
    assert form.field_views()[0].template == "procedures/formdef/fields/input.html"
    (column,) = columns_for(definition)
    assert (cell(column, {"c": "blue"}), display(column, {"c": "blue"})) == ("blue", "blue")
    with pytest.raises(DefinitionError):
        parse_definition(
            {
                "format": 1,
                "steps": [
                    {
                        "key": "s",
                        "title": "S",
                        "fields": [{"key": "c", "type": "colour", "label": "色", "kana": "x"}],
                    }
                ],
            }
        )


_KANJI_NAME = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA0), min_size=1, max_size=6
)


@given(family=_KANJI_NAME, given_name=_KANJI_NAME, sex=st.sampled_from(["1", "2"]))
@settings(max_examples=50, deadline=None)
def test_any_card_name_and_sex_come_back_as_answers(family: str, given_name: str, sex: str) -> None:
    definition = parse_definition(card_form())
    filled = fill_from_card(definition, {"name": f"{family}\u3000{given_name}", "sex": sex})
    answers, errors = validate_answers(definition, filled, today=TODAY)
    assert "name" not in errors and "sex" not in errors
    assert (answers["name"]["family"], answers["name"]["given"]) == (family, given_name)
    assert answers["sex"] == {"1": "male", "2": "female"}[sex]
