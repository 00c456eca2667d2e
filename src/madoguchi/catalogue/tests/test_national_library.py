"""The national standard procedures of the library, and the library's figures."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from madoguchi.procedures.formdef import build_step_form, parse_definition
from madoguchi.procedures.formdef.definition import accepted_attributes
from madoguchi.procedures.formdef.localize import localize_definition_data
from madoguchi.procedures.library import load_library
from madoguchi.procedures.library.figures import library_figures, procedure_figures
from madoguchi.procedures.tests.factories import simple_definition
from madoguchi.procedures.tests.fill import TODAY

LIBRARY = load_library()

# The 26 procedures of 子育て・介護 the national plan names for online application by every
# municipality (マイナポータル ぴったりサービス), written from public knowledge of the plan; then
# 罹災証明書, 転出・転入予約, and the common counter procedures.
NATIONAL_26 = {
    # 子育て (15)
    "child-allowance-certification",  # 児童手当等の受給資格及び児童手当の額についての認定請求
    "child-allowance-amount-revision",  # 児童手当等の額の改定の請求及び届出
    "child-allowance-change-notification",  # 氏名変更／住所変更等の届出
    "child-allowance-entitlement-end",  # 受給事由消滅の届出
    "child-allowance-unpaid-claim",  # 未支払の児童手当等の請求
    "child-allowance-donation",  # 児童手当等に係る寄附の申出
    "child-allowance-donation-change",  # 児童手当に係る寄附変更等の申出
    "child-allowance-school-fee-collection",  # 学校給食費等の徴収等の申出
    "child-allowance-school-fee-collection-change",  # 学校給食費等の徴収等の変更等の申出
    "child-allowance-status-report",  # 児童手当等の現況届
    "childcare-eligibility-certification",  # 支給認定の申請
    "nursery-admission",  # 保育施設等の利用申込
    "nursery-status-report",  # 保育施設等の現況届
    "child-rearing-allowance-status-report-advance",  # 児童扶養手当の現況届の事前送信
    "pregnancy-notification",  # 妊娠の届出
    # 介護 (11)
    "long-term-care-certification",  # 要介護・要支援認定の申請
    "long-term-care-certification-renewal",  # 要介護・要支援更新認定の申請
    "long-term-care-certification-level-change",  # 要介護・要支援状態区分変更認定の申請
    "care-plan-creation-request-notification",  # 居宅（介護予防）サービス計画作成（変更）依頼の届出
    "care-cost-share-certificate-reissue",  # 介護保険負担割合証の再交付申請
    "care-insurance-card-reissue",  # 被保険者証の再交付申請
    "high-cost-long-term-care-service-benefit",  # 高額介護（予防）サービス費の支給申請
    "long-term-care-burden-limit-certification",  # 介護保険負担限度額認定申請
    "long-term-care-welfare-equipment-purchase",  # 居宅介護（介護予防）福祉用具購入費の支給申請
    "long-term-care-home-modification",  # 居宅介護（介護予防）住宅改修費の支給申請
    "long-term-care-certification-after-moving",  # 住所移転後の要介護・要支援認定申請
}
OTHERS = {
    "disaster-victim-certificate",  # 罹災証明書
    "moving-out-notification",  # 転出届（転出・転入予約）
    "family-register-certificate-request",  # 戸籍証明
    "seal-registration-application",  # 印鑑登録
    "seal-registration-certificate",  # 印鑑登録証明書
    "tax-certificate-request",  # 税証明
    "national-health-insurance-enrolment",  # 国民健康保険の加入
    "national-health-insurance-withdrawal",  # 国民健康保険の脱退
    "residence-certificate-request",  # 住民票の写し
}
# Entries written before the national set, whose English help texts arrive with the English and
# やさしい日本語 content work (another branch edits these files): the English checks below skip
# them until that lands.
EARLIER = {
    "bulky-waste",
    "child-allowance",
    "child-rearing-allowance",
    "disaster-certificate",
    "dog-registration",
    "long-term-care-certification",
    "moving-out",
    "nursery-admission",
    "pregnancy-notification",
    "residence-certificate",
    "seal-certificate",
}
NATIONAL_SET = [e for e in LIBRARY if e["slug"] not in EARLIER]


def test_the_library_holds_the_national_plan_and_the_counter_procedures():
    assert len(NATIONAL_26) == 26
    codes = [e["standard_code"] for e in LIBRARY]
    assert len(codes) == len(set(codes)), "standard codes are unique"
    assert set(codes) >= NATIONAL_26 | OTHERS
    assert all(code for code in codes)


# Every text the parser accepts an English version of (labels, help, titles, descriptions, a
# group's item and add-button labels, option labels).
TRANSLATED = sorted(
    n.removesuffix("_en")
    for names in accepted_attributes().values()
    for n in names
    if n.endswith("_en")
)


def _english_gaps(node: Any, path: str = "") -> list[str]:
    """Every Japanese text of a definition that lacks its `_en` twin."""
    gaps: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            gaps += _english_gaps(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key in TRANSLATED:
            if node.get(key) and not str(node.get(f"{key}_en", "")).strip():
                gaps.append(f"{path}.{key}")
        for key, value in node.items():
            if isinstance(value, (list, dict)):
                gaps += _english_gaps(value, f"{path}.{key}")
    return gaps


@pytest.mark.parametrize("entry", NATIONAL_SET, ids=lambda e: e["slug"])
def test_every_text_has_english(entry):
    assert entry["name_en"].strip()
    for key in ("summary", "description", "eligibility", "fees", "department"):
        assert entry.get(f"{key}_en", "").strip(), key
    assert len(entry["what_to_bring_en"]) == len(entry["what_to_bring"])
    assert _english_gaps(entry["form"]) == []


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e["slug"])
def test_every_answer_has_a_print_label(entry):
    definition = parse_definition(entry["form"])
    missing = [
        f"{field.key}.{sub.key}" if sub is not field else field.key
        for field in definition.top_fields()
        for sub in (field, *field.fields)
        if sub.holds_value and not sub.print_label
    ]
    assert missing == []


@pytest.mark.parametrize("entry", NATIONAL_SET, ids=lambda e: e["slug"])
def test_applicant_fields_are_filled_from_the_card(entry):
    definition = parse_definition(entry["form"])
    card = {f.card for f in definition.top_fields() if f.card}
    assert {"name", "address", "birth_date"} <= card


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e["slug"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_step_renders_in_both_languages(entry, language):
    data = localize_definition_data(entry["form"], language)
    definition = parse_definition(data)
    with translation.override(language):
        for step in definition.steps:
            html = render_to_string(
                "procedures/formdef/step_form.html",
                {"form": build_step_form(definition, step.key, answers={}, today=TODAY)},
            )
            assert 'class="mg-form-fields"' in html
            if language == "en" and entry["slug"] not in EARLIER:
                # The English label of the step's first unconditional field is shown.
                shown = [f for f in step.fields if f.when is None]
                if shown:
                    assert shown[0].label.isascii() and escape(shown[0].label) in html


def test_figures_count_fields_card_and_preinput():
    definition = simple_definition()
    definition["steps"][0]["fields"][0]["card"] = "name"
    definition["steps"][0]["fields"][1]["card"] = "birth_date"
    definition["steps"][0]["fields"].append(
        {"key": "note", "type": "notice", "label": "お知らせ", "help": "数えない"}
    )
    definition["steps"][1]["fields"].append(
        {"key": "photo", "type": "file", "label": "写真", "accept": ["jpeg"]}
    )
    definition["steps"][1]["fields"].append(
        {
            "key": "staff_memo",
            "type": "text",
            "label": "職員メモ",
            "channels": ["staff", "counter"],
        }
    )
    definition["steps"][1]["fields"].append(
        {
            "key": "kids",
            "type": "group",
            "label": "子",
            "fields": [{"key": "n", "type": "text", "label": "名"}],
        }
    )
    figures = procedure_figures({"slug": "t", "standard_code": "t", "form": definition})
    # name, birth_date, email, has_spouse, spouse_name, photo, staff_memo, kids, kids.n
    assert figures.fields == 9
    assert figures.card == 2
    assert figures.preinput == 7  # all but the file and the staff-only field
    assert (figures.either, figures.staff_typed) == (7, 2)


def test_library_figures_and_the_command():
    figures = library_figures()
    assert figures.count == len(LIBRARY) >= 38
    assert figures.fields > 600
    assert 0 < figures.card < figures.either <= figures.fields
    out = io.StringIO()
    call_command("catalogue_library_figures", "--per-procedure", stdout=out)
    text = out.getvalue()
    assert f"procedures: {figures.count}" in text
    assert f"fields: {figures.fields}" in text
    assert f"card or pre-input: {figures.either} ({figures.share(figures.either):.1%})" in text
    assert "long-term-care-renewal\t" in text


@pytest.mark.django_db
def test_the_demo_offers_the_library_as_national_shared_procedures(client) -> None:
    from madoguchi.accounts.models import StaffUser
    from madoguchi.catalogue.models import SharedProcedure, SharedProcedureVersion
    from madoguchi.demo import demo_load
    from madoguchi.procedures.library import load_library

    demo_load()
    for _run in range(2):  # the part of `demo_load` (the command) that offers the library
        call_command("catalogue_publish_library", verbosity=0)
    count = len(load_library())
    assert SharedProcedure.objects.filter(prefecture=None, is_active=True).count() == count
    assert SharedProcedureVersion.objects.count() == count
    client.force_login(StaffUser.objects.get(username="demo-admin"))
    page = client.get("/staff/catalogue/shared/").content.decode()
    assert "住民票の写し等の交付請求" in page
