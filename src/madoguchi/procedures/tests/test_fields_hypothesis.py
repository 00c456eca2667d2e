"""Every field type through the engine with hostile input: a clean error result, never a crash."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from madoguchi.core.tests.hostile import any_char
from madoguchi.procedures.formdef import build_step_form, parse_definition, validate_answers
from madoguchi.procedures.formdef.definition import FIELD_TYPES

from .fill import TODAY, post_data, valid_raw

ALL_TYPES: dict[str, Any] = {
    "format": 1,
    "steps": [
        {
            "key": "all",
            "title": "すべての型",
            "fields": [
                {"key": "f_name", "type": "name", "label": "氏名", "required": True},
                {
                    "key": "f_date",
                    "type": "date",
                    "label": "生年月日",
                    "required": True,
                    "max": "today",
                },
                {
                    "key": "f_postal",
                    "type": "postal_code",
                    "label": "郵便番号",
                    "required": True,
                    "fills": "f_address",
                },
                {"key": "f_address", "type": "address", "label": "住所", "required": True},
                {"key": "f_phone", "type": "phone", "label": "電話番号", "required": True},
                {"key": "f_email", "type": "email", "label": "メールアドレス", "required": True},
                {
                    "key": "f_choice",
                    "type": "choice",
                    "label": "選択",
                    "required": True,
                    "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                },
                {
                    "key": "f_multi",
                    "type": "multi_choice",
                    "label": "複数選択",
                    "required": True,
                    "max_selected": 2,
                    "options": [
                        {"value": "a", "label": "A"},
                        {"value": "b", "label": "B"},
                        {"value": "c", "label": "C"},
                    ],
                },
                {"key": "f_check", "type": "checkbox", "label": "同意", "required": True},
                {
                    "key": "f_number",
                    "type": "number",
                    "label": "人数",
                    "required": True,
                    "min": 1,
                    "max": 10,
                },
                {
                    "key": "f_text",
                    "type": "text",
                    "label": "名称",
                    "required": True,
                    "max_length": 20,
                },
                {
                    "key": "f_digits",
                    "type": "text",
                    "label": "口座番号",
                    "required": True,
                    "format": "digits",
                    "min_length": 7,
                    "max_length": 7,
                },
                {
                    "key": "f_kana",
                    "type": "text",
                    "label": "名義",
                    "required": True,
                    "format": "katakana",
                },
                {
                    "key": "f_long",
                    "type": "long_text",
                    "label": "内容",
                    "required": True,
                    "max_length": 100,
                },
                {
                    "key": "f_file",
                    "type": "file",
                    "label": "書類",
                    "required": True,
                    "accept": ["pdf", "png"],
                },
                {
                    "key": "f_group",
                    "type": "group",
                    "label": "子",
                    "required": True,
                    "min_items": 1,
                    "max_items": 3,
                    "fields": [
                        {"key": "g_name", "type": "name", "label": "子の氏名", "required": True},
                        {
                            "key": "g_date",
                            "type": "date",
                            "label": "子の生年月日",
                            "required": True,
                        },
                    ],
                },
                {"key": "f_notice", "type": "notice", "label": "お知らせ"},
            ],
        }
    ],
}
DEFINITION = parse_definition(ALL_TYPES)
FIELDS = {f.key: f for f in DEFINITION.steps[0].fields}
VALID = {key: valid_raw(f, today=TODAY) for key, f in FIELDS.items() if f.holds_value}

HOSTILE_TEXT = st.one_of(
    st.text(any_char, max_size=60),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "\x00",
            "山田\x00太郎",
            "\u202eabc",
            "\u200b",
            "😀👨‍👩‍👧",
            "A" * 30000,
            "'; DROP TABLE procedures_procedure; --",
            "令和99年99月99日",
            "明治1年1月1日",
            "ｱｲｳ",
            "　",
            "",
        ]
    ),
)
RAW_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), HOSTILE_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "family",
                    "given",
                    "family_kana",
                    "given_kana",
                    "prefecture",
                    "city",
                    "street",
                    "attachment",
                    "name",
                    "size",
                    "content_type",
                    "g_name",
                    "g_date",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=10,
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_field_type_is_covered() -> None:
    assert {f.type for f in DEFINITION.steps[0].fields} == FIELD_TYPES


def _check(errors: dict[str, list[str]], key: str) -> None:
    for path, messages in errors.items():
        assert path == key or path.startswith(f"{key}."), path
        assert messages and all(isinstance(m, str) and m for m in messages)
        assert all(any("\u3040" <= ch <= "\u30ff" for ch in m) for m in messages), messages


@SETTINGS
@given(key=st.sampled_from(sorted(VALID)), value=RAW_VALUE)
def test_any_value_gives_a_clean_result(key: str, value: Any) -> None:
    answers, errors = validate_answers(DEFINITION, {**VALID, key: value}, today=TODAY)
    _check(errors, key)
    json.dumps(answers)  # always serialisable
    if not errors:
        assert key in answers


@SETTINGS
@given(
    key=st.sampled_from(
        sorted(
            k
            for k in VALID
            if FIELDS[k].type
            in ("text", "long_text", "date", "phone", "email", "postal_code", "number")
        )
    ),
    value=HOSTILE_TEXT,
)
def test_hostile_strings_in_single_inputs(key: str, value: str) -> None:
    answers, errors = validate_answers(DEFINITION, {**VALID, key: value}, today=TODAY)
    _check(errors, key)
    if not errors:
        text = json.dumps(answers[key], ensure_ascii=False)
        assert "\x00" not in text and "\u202e" not in text


@SETTINGS
@given(part=st.sampled_from(["family", "given", "family_kana", "given_kana"]), value=HOSTILE_TEXT)
def test_hostile_names(part: str, value: str) -> None:
    name = {**VALID["f_name"], part: value}
    answers, errors = validate_answers(DEFINITION, {**VALID, "f_name": name}, today=TODAY)
    _check(errors, "f_name")
    if not errors:
        assert all("<" not in v and "\x00" not in v for v in answers["f_name"].values())


def test_missing_required_fields_are_keyed_to_each_field() -> None:
    _answers, errors = validate_answers(DEFINITION, {}, today=TODAY)
    assert set(errors) == {k for k in VALID if k != "f_check"} | {"f_check"}
    assert errors["f_name"] == ["氏名を入力してください。"]
    assert errors["f_choice"] == ["選択を選んでください。"]
    assert errors["f_file"] == ["書類のファイルを添付してください。"]
    assert errors["f_check"] == ["同意を確認して、チェックを入れてください。"]


def test_specific_messages() -> None:
    cases = {
        "f_date": ("2024年13月1日", "月は1から12"),
        "f_name": ({**VALID["f_name"], "family_kana": "山田"}, "カタカナで入力してください"),
        "f_number": ("１１", "1から10までの数字"),
        "f_digits": ("12-34", "7文字以上"),
        "f_kana": ("Yamada", "カタカナで入力してください"),
        "f_email": ("hanako@", "example@example.jp"),
        "f_multi": (["a", "b", "c"], "2個まで"),
        "f_group": ([{}, {}, {}, {}], "3件まで"),
        "f_file": (
            {"attachment": "x", "name": "a.gif", "size": 1, "content_type": "image/gif"},
            "PDF・PNG",
        ),
    }
    for key, (value, message) in cases.items():
        _, errors = validate_answers(DEFINITION, {**VALID, key: value}, today=TODAY)
        assert any(message in m for ms in errors.values() for m in ms), (key, errors)
    _, errors = validate_answers(DEFINITION, {**VALID, "f_date": "来年"}, today=TODAY)
    assert errors["f_date"] == [
        "生年月日は「昭和50年4月1日」または「1975年4月1日」の形で入力してください。"
    ]
    _, errors = validate_answers(DEFINITION, {**VALID, "f_date": "令和9年1月1日"}, today=TODAY)
    assert errors["f_date"] == ["生年月日に未来の日付は入力できません。日付を確かめてください。"]


def test_loose_input_is_normalised() -> None:
    answers, errors = validate_answers(DEFINITION, VALID, today=TODAY)
    assert errors == {}
    assert answers["f_name"] == {
        "family": "山田",
        "given": "花子",
        "family_kana": "ヤマダ",
        "given_kana": "ハナコ",
    }
    assert answers["f_postal"] == "1000001"
    assert answers["f_phone"] == "090-1234-5678"
    assert answers["f_address"]["street"] == "千代田1-1"
    assert answers["f_kana"] == "ヤマダ ハナコ"
    assert answers["f_number"] == 1
    assert answers["f_check"] is True


@SETTINGS
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                *sorted(post_data(DEFINITION.steps[0], VALID)),
                "f_group__count",
                "f_group__0__origin",
                "f_group__9__g_name__family",
                "_action",
            ]
        ),
        HOSTILE_TEXT,
        max_size=12,
    )
)
def test_hostile_post_never_crashes_the_step_form(data: dict[str, str]) -> None:
    posted = {**post_data(DEFINITION.steps[0], VALID), **data}
    form = build_step_form(DEFINITION, "all", data=posted, files={}, answers={}, today=TODAY)
    if form.is_valid():
        json.dumps(form.step_answers())
    else:
        for path in form.errors:
            assert path.split(".")[0] in FIELDS
    html = render_to_string("procedures/formdef/step_form.html", {"form": form})
    assert "<script>alert" not in html
    form.handle_action(data.get("_action", ""))
    render_to_string("procedures/formdef/step_form.html", {"form": form})


@SETTINGS
@given(name=HOSTILE_TEXT, content=st.binary(max_size=300))
def test_any_upload_gives_a_clean_result(name: str, content: bytes) -> None:
    try:
        upload = SimpleUploadedFile(name[:200] or "x", content)
    except SuspiciousFileOperation:
        assume(False)  # Django's own upload parser never produces a file with such a name
        return
    posted = post_data(DEFINITION.steps[0], VALID)
    form = build_step_form(
        DEFINITION, "all", data=posted, files={"f_file": upload}, answers={}, today=TODAY
    )
    if form.is_valid():
        assert form.uploaded_files() == {"f_file": upload}
        assert content.startswith((b"%PDF-", b"\x89PNG"))
    else:
        assert set(form.errors) == {"f_file"}
        _check(dict(form.errors), "f_file")
