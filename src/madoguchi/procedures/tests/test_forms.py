"""Step forms without JavaScript: groups, conditions, postal lookup, attachments, rendering."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import override_settings

from madoguchi.procedures.formdef import (
    build_step_form,
    parse_definition,
    set_answer,
    summarize,
    validate_answers,
    visible_steps,
)

from .factories import library_entry, simple_definition
from .fill import TODAY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
REFERENCE = {"attachment": "3f2c", "name": "通帳.jpg", "size": 10, "content_type": "image/jpeg"}


def child_allowance() -> Any:
    return parse_definition(library_entry("child-allowance")["form"])


def render(form: Any) -> str:
    return render_to_string("procedures/formdef/step_form.html", {"form": form})


def child_inputs(i: int, family: str) -> dict[str, str]:
    return {
        f"children__{i}__name__family": family,
        f"children__{i}__name__given": "一郎",
        f"children__{i}__name__family_kana": "やまだ",
        f"children__{i}__name__given_kana": "いちろう",
        f"children__{i}__birth_date": "令和5年6月1日",
        f"children__{i}__relationship": "child",
        f"children__{i}__living": "together",
    }


# --- Repeating groups --------------------------------------------------------------------------


def test_group_add_and_remove_without_javascript() -> None:
    definition = child_allowance()
    data = {"children__count": "1", **child_inputs(0, "山田"), "has_older_children": "no"}
    form = build_step_form(definition, "children", data=data, files={}, answers={}, today=TODAY)
    assert form.handle_action("add:children")
    assert form.data["children__count"] == "2"
    html = render(form)
    assert "2人目のお子さん" in html
    assert "mg-error-summary" not in html  # no errors after an action
    assert 'value="山田"' in html

    # Fill item 2, then remove item 1: item 2 moves up.
    data = dict(form.data.items())
    data.update(child_inputs(1, "佐藤"))
    form = build_step_form(definition, "children", data=data, files={}, answers={}, today=TODAY)
    assert form.handle_action("remove:children:0")
    assert form.data["children__count"] == "1"
    assert form.data["children__0__name__family"] == "佐藤"
    assert "children__1__name__family" not in form.data

    form = build_step_form(
        definition, "children", data=dict(form.data.items()), files={}, answers={}, today=TODAY
    )
    assert form.is_valid(), form.path_errors
    children = form.step_answers()["children"]
    assert [c["name"]["family"] for c in children] == ["佐藤"]
    assert children[0]["name"]["family_kana"] == "ヤマダ"
    assert children[0]["birth_date"] == "2023-06-01"


def test_group_respects_max_items_and_min_items() -> None:
    definition = child_allowance()
    data = {"children__count": "10"}
    form = build_step_form(definition, "children", data=data, files={}, answers={}, today=TODAY)
    assert form.handle_action("add:children")
    assert form.data["children__count"] == "10"
    assert "10件まで" in form.action_message
    html = render(build_step_form(definition, "children", answers={}, today=TODAY))
    # One child is the minimum: its remove button is not offered.
    assert "remove:children:0" not in html
    assert html.count('class="mg-fieldset mg-group__item"') == 1


@pytest.mark.parametrize(
    "action",
    ["", "add:nothing", "remove:children:x", "remove:children:7", "postal:occupation", "drop:all"],
)
def test_unknown_actions_are_ignored(action: str) -> None:
    form = build_step_form(
        child_allowance(), "children", data={"children__count": "1"}, files={}, answers={}
    )
    assert form.handle_action(action) is False


def test_group_keeps_stored_attachment_when_items_move() -> None:
    d = simple_definition()
    d["steps"][1]["fields"].append(
        {
            "key": "docs",
            "type": "group",
            "label": "書類",
            "fields": [
                {"key": "title", "type": "text", "label": "題名", "required": True},
                {
                    "key": "scan",
                    "type": "file",
                    "label": "写し",
                    "required": True,
                    "accept": ["jpeg", "png", "pdf"],
                },
            ],
        }
    )
    definition = parse_definition(d)
    other = {**REFERENCE, "attachment": "other", "name": "二つ目.jpg"}
    answers = {
        "has_spouse": "no",
        "docs": [{"title": "一", "scan": REFERENCE}, {"title": "二", "scan": other}],
    }
    data = {
        "has_spouse": "no",
        "docs__count": "2",
        "docs__0__title": "一",
        "docs__0__origin": "0",
        "docs__1__title": "二",
        "docs__1__origin": "1",
    }
    form = build_step_form(definition, "details", data=data, files={}, answers=answers)
    assert form.handle_action("remove:docs:0")
    form = build_step_form(
        definition, "details", data=dict(form.data.items()), files={}, answers=answers
    )
    assert "添付済み：二つ目.jpg" in render(form)
    assert form.is_valid(), form.path_errors
    assert form.step_answers()["docs"] == [{"title": "二", "scan": other}]


# --- Conditions --------------------------------------------------------------------------------


def test_hidden_branch_is_not_required_and_visible_branch_is() -> None:
    definition = child_allowance()
    form = build_step_form(definition, "spouse", data={"has_spouse": "no"}, files={}, answers={})
    assert form.is_valid()
    assert form.step_answers() == {
        "has_spouse": "no",
        "spouse_name": None,
        "spouse_birth_date": None,
        "spouse_living": None,
    }
    form = build_step_form(definition, "spouse", data={"has_spouse": "yes"}, files={}, answers={})
    assert not form.is_valid()
    assert set(form.errors) == {"spouse_name", "spouse_birth_date", "spouse_living"}
    assert form.errors["spouse_name"] == ["配偶者の氏名を入力してください。"]


def test_same_step_condition_is_rendered_for_javascript_and_explained_without() -> None:
    html = render(build_step_form(child_allowance(), "spouse", answers={}))
    assert re.search(r'data-mg-when="\{&quot;input&quot;: &quot;has_spouse&quot;', html)
    assert "「配偶者はいますか」で「いる」を選んだ場合に入力してください。" in html


def test_conditions_across_steps() -> None:
    definition = child_allowance()
    # 勤務先 depends on 職業 in the same step; 公務員 shows a notice.
    answers = {"occupation": "public_servant"}
    html = render(build_step_form(definition, "applicant", answers=answers))
    assert "公務員の方へ" in html
    # Cross-step: the 転入予約 question of 転出届 exists only for a move within Japan.
    moving = parse_definition(library_entry("moving-out")["form"])
    html = render(build_step_form(moving, "after", answers={"destination": "abroad"}))
    assert "転入予約をしますか" not in html
    form = build_step_form(
        moving, "after", data={"consent": "on"}, files={}, answers={"destination": "abroad"}
    )
    assert form.is_valid(), form.path_errors
    form = build_step_form(
        moving, "after", data={"consent": "on"}, files={}, answers={"destination": "domestic"}
    )
    assert not form.is_valid()
    assert "moving_in_reservation" in form.errors


def test_step_condition_and_stale_answers() -> None:
    d = simple_definition()
    d["steps"].append(
        {
            "key": "spouse_work",
            "title": "配偶者の仕事",
            "when": {"field": "has_spouse", "equals": "yes"},
            "fields": [{"key": "spouse_job", "type": "text", "label": "職業", "required": True}],
        }
    )
    definition = parse_definition(d)
    answers = {"has_spouse": "yes", "spouse_job": "会社員"}
    assert [s.key for s in visible_steps(definition, answers)] == [
        "applicant",
        "details",
        "spouse_work",
    ]
    answers["has_spouse"] = "no"
    assert [s.key for s in visible_steps(definition, answers)] == ["applicant", "details"]
    values, errors = validate_answers(definition, answers)
    assert "spouse_job" not in values and "spouse_job" not in errors
    assert all(s.step_key != "spouse_work" for s in summarize(definition, answers))


# --- Postal codes --------------------------------------------------------------------------------


def test_postal_action_fills_the_address() -> None:
    data = {"applicant_postal_code": "１００ー０００１", "applicant_address__street": ""}
    form = build_step_form(child_allowance(), "applicant", data=data, files={}, answers={})
    assert form.handle_action("postal:applicant_postal_code")
    assert form.data["applicant_postal_code"] == "100-0001"
    assert form.data["applicant_address__prefecture"] == "東京都"
    assert form.data["applicant_address__city"] == "千代田区"
    assert form.data["applicant_address__street"] == "千代田"
    html = render(form)
    assert 'value="千代田区"' in html
    assert '<option value="東京都" selected>' in html
    assert "続けて番地を入力してください" in html


@pytest.mark.parametrize(
    ("typed", "message"), [("999-9999", "見つかりませんでした"), ("12", "7桁の数字")]
)
def test_postal_action_explains_problems(typed: str, message: str) -> None:
    form = build_step_form(
        child_allowance(), "applicant", data={"applicant_postal_code": typed}, files={}, answers={}
    )
    assert form.handle_action("postal:applicant_postal_code")
    assert message in form.postal_messages["applicant_postal_code"]
    assert message in render(form)


def test_postal_lookup_view(client: Any) -> None:
    response = client.get("/procedures/postal/", {"code": "１００－０００１"})
    assert response.status_code == 200
    body = response.json()
    assert body["postal_code"] == "100-0001"
    assert body["candidates"][0]["city"] == "千代田区"
    body = client.get("/procedures/postal/", {"code": "<script>"}).json()
    assert body["candidates"] == [] and "7桁" in body["message"]


# --- Attachments ---------------------------------------------------------------------------------


def attachment_form(files: dict[str, Any], answers: dict[str, Any] | None = None) -> Any:
    return build_step_form(
        child_allowance(), "attachments", data={}, files=files, answers=answers or {}
    )


def test_upload_is_validated_and_handed_over() -> None:
    upload = SimpleUploadedFile("通帳.png", PNG, content_type="image/png")
    form = attachment_form({"account_document": upload})
    assert form.is_valid(), form.path_errors
    assert form.uploaded_files() == {"account_document": upload}
    answers = form.step_answers()
    assert answers == {"account_document": None, "separate_custody_document": None}
    set_answer(answers, "account_document", REFERENCE)
    assert answers["account_document"] == REFERENCE


def test_stored_attachment_satisfies_the_field_and_can_be_replaced() -> None:
    form = attachment_form({}, {"account_document": REFERENCE})
    assert form.is_valid()
    assert form.uploaded_files() == {}
    assert form.step_answers()["account_document"] == REFERENCE
    assert "添付済み：通帳.jpg" in render(
        build_step_form(child_allowance(), "attachments", answers={"account_document": REFERENCE})
    )
    upload = SimpleUploadedFile("new.pdf", PDF)
    form = attachment_form({"account_document": upload}, {"account_document": REFERENCE})
    assert form.is_valid()
    assert form.uploaded_files() == {"account_document": upload}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200, "ファイル"),
        ("photo.jpg", b"<!doctype html><script>alert(1)</script>", "拡張子"),
        ("empty.pdf", b"", "空"),
        ("movie.gif", b"GIF89a" + b"\x00" * 64, "添付できません"),
    ],
)
def test_bad_uploads_are_refused_at_the_field(name: str, content: bytes, message: str) -> None:
    form = attachment_form({"account_document": SimpleUploadedFile(name, content)})
    assert not form.is_valid()
    assert list(form.errors) == ["account_document"]
    assert message in form.errors["account_document"][0]


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_oversized_upload_is_refused() -> None:
    form = attachment_form({"account_document": SimpleUploadedFile("big.pdf", PDF + b"0" * 200)})
    assert not form.is_valid()
    assert "大きすぎます" in form.errors["account_document"][0]


def test_missing_required_attachment() -> None:
    form = attachment_form({})
    assert not form.is_valid()
    assert form.errors["account_document"] == [
        "振込先口座がわかる書類のファイルを添付してください。"
    ]


# --- Rendering -------------------------------------------------------------------------------------


def test_rendering_follows_the_design_system_pattern() -> None:
    data = {
        "applicant_name__family": "山田",
        "applicant_birth_date": "昭和65年1月1日",
        "applicant_phone": "03-1234",
    }
    form = build_step_form(child_allowance(), "applicant", data=data, files={}, answers={})
    assert not form.is_valid()
    html = render(form)
    assert '<div class="mg-error-summary" role="alert"' in html
    assert '<a class="mg-error-summary__link" href="#id_applicant_birth_date">' in html
    assert '<a class="mg-error-summary__link" href="#id_applicant_name__given">' in html
    assert re.search(
        r'<input[^>]*id="id_applicant_birth_date"[^>]*aria-describedby="id_applicant_birth_date-error"[^>]*aria-invalid="true"',
        html,
    )
    assert "昭和は昭和64年1月7日までです" in html
    assert '<legend class="mg-legend">請求者の氏名<span class="mg-required">必須</span>' in html
    assert 'autocomplete="family-name"' in html and 'autocomplete="bday"' in html
    assert 'autocomplete="postal-code"' in html and 'inputmode="numeric"' in html
    assert 'autocomplete="address-level1"' in html and 'autocomplete="tel"' in html
    assert "style=" not in html and "<script>" not in html and "onclick" not in html


def test_hostile_input_is_escaped() -> None:
    data = {"employer": '"><script>alert(1)</script>', "occupation": "employee"}
    html = render(build_step_form(child_allowance(), "applicant", data=data, files={}, answers={}))
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_initial_values_come_from_answers() -> None:
    answers = {
        "applicant_birth_date": "1990-04-01",
        "applicant_postal_code": "1000001",
        "applicant_name": {
            "family": "山田",
            "given": "花子",
            "family_kana": "ヤマダ",
            "given_kana": "ハナコ",
        },
        "occupation": "employee",
    }
    html = render(build_step_form(child_allowance(), "applicant", answers=answers))
    assert 'value="平成2年4月1日"' in html
    assert 'value="100-0001"' in html
    assert 'value="ハナコ"' in html
    assert re.search(r'value="employee" checked', html)
