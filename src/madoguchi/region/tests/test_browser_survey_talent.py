"""The DX survey and the talent pool in a real browser at phone size, axe-core clean: the
municipality answers (pre-filled) and submits, the prefecture reads the results by population
class; a municipality posts a need, the DX team reads the explained matches, assigns, records a
visit and opens the audited contact page. Screenshots go to docs/screenshots/region-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.region.models import SurveyStatus
from madoguchi.region.survey import demo as survey_demo
from madoguchi.region.talent import demo as talent_demo
from madoguchi.region.tests.factories import hata_municipalities, prefecture_user
from madoguchi.region.tests.test_browser_region import WIDER_THAN_THE_SCREEN, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.screenshot(path=str(SHOTS / f"region-{name}.png"), full_page=True)


def test_the_dx_survey_in_the_browser(page, axe_check):
    towns = hata_municipalities()
    prefecture = towns[0].prefecture
    dx = prefecture_user(prefecture)
    survey_demo.load(prefecture=prefecture, towns=towns, fiscal_year=2026, actor=dx)
    from madoguchi.region.models import Survey

    this_year = Survey.objects.get(status=SurveyStatus.OPEN)
    manager = StaffUserFactory(municipality=towns[0], manager=True)
    _sign_in(page, manager)
    page.goto(page.base_url + "/staff/region/surveys/")
    page.locator("main table").get_by_role("link", name="DX推進状況調査").first.click()
    expect(page.get_by_role("heading", name="推進体制")).to_be_visible()
    page.get_by_role("button", name="提出する").click()
    expect(page.locator(".mg-error-summary")).to_contain_text("回答を確かめてください")
    axe_check(page)
    group = page.get_by_role("group", name="CIO（最高情報責任者）を任命していますか。")
    group.get_by_label("はい").check()
    page.get_by_role(
        "group", name="CIO補佐官等（外部の専門人材）を任用していますか。"
    ).get_by_label("いいえ").check()
    page.get_by_label("策定済み").check()
    page.get_by_label("外部デジタル人材の人数（人）").fill("1")
    page.get_by_role(
        "group", name="AI（AI-OCR・議事録・チャットボット等）を導入していますか。"
    ).get_by_label("はい").check()
    page.get_by_role("group", name="RPAを導入していますか。").get_by_label("はい").check()
    page.get_by_label("標準準拠システムへの移行を終えた基幹業務の数（20業務のうち）（業務）").fill(
        "8"
    )
    page.get_by_label("オンラインで申請できる手続の数（手続）").fill("40")
    page.get_by_label("申請のうちオンラインで受け付けた割合（%）").fill("35")
    page.get_by_role("group", name="「書かない窓口」を導入していますか。").get_by_label(
        "はい"
    ).check()
    page.get_by_label("窓口の申請のうち事前入力（QRコード）を使った割合（%）").fill("10")
    page.get_by_role("group", name="窓口の手数料をキャッシュレスで払えますか。").get_by_label(
        "はい"
    ).check()
    page.get_by_role("button", name="提出する").click()
    expect(page.locator("main")).to_contain_text("提出しました。")
    page.get_by_label("どの設問の資料か").select_option(
        label="CIO（最高情報責任者）を任命していますか。"
    )
    from madoguchi.applications.tests.factories import pdf_bytes

    page.get_by_label("ファイル").set_input_files(
        {"name": "CIO任命通知.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="資料を登録する").click()
    expect(page.get_by_role("link", name="CIO任命通知.pdf")).to_be_visible()
    axe_check(page)
    _shot(page, "survey-answer")

    _sign_in(page, dx)
    page.goto(page.base_url + f"/staff/region/surveys/{this_year.pk}/")
    expect(page.get_by_role("heading", name="回答の状況")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="結果を見る（人口区分・前年度との比較）").click()
    expect(page.get_by_role("heading", name="住民サービスのDX")).to_be_visible()
    expect(page.locator("main")).to_contain_text("6 / 6")
    axe_check(page)
    _shot(page, "survey-results")


def test_the_talent_pool_in_the_browser(page, axe_check):
    towns = hata_municipalities()
    prefecture = towns[0].prefecture
    dx = prefecture_user(prefecture)
    talent_demo.load(prefecture=prefecture, towns=towns, actor=dx)

    town = towns[3]
    _sign_in(page, StaffUserFactory(municipality=town, manager=True))
    page.goto(page.base_url + "/staff/region/talent/")
    page.get_by_role("link", name="支援を依頼する").click()
    page.get_by_label("支援してほしいこと").fill("窓口の手続をオンラインにしたい")
    page.get_by_label("求める役割").select_option(label="サービスデザイナー")
    page.get_by_label("オンライン手続").check()
    page.get_by_label("利用者調査・UX").check()
    page.get_by_label("内容（背景・期待する成果）").fill("申請の多い10手続から電子申請にしたい。")
    page.get_by_role("button", name="依頼を登録する").click()
    expect(page.locator("main")).to_contain_text("支援の依頼を登録しました")
    expect(page.locator("main")).not_to_contain_text("適合度")
    axe_check(page)
    _shot(page, "talent-need")
    need_url = page.url

    _sign_in(page, dx)
    page.goto(need_url)
    top = page.locator(".rg-matches > li").first
    expect(top).to_contain_text("青木 さくら")
    expect(top).to_contain_text("求める2分野のうち2分野が一致")
    axe_check(page)
    _shot(page, "talent-matching")
    top.get_by_role("button", name="青木 さくらさんを派遣する").click()
    expect(page.locator("main")).to_contain_text("青木 さくらさんを派遣しました。")
    page.get_by_label("テーマ").fill("手続の棚卸し")
    page.get_by_label("時間", exact=True).fill("2")
    page.get_by_role("button", name="記録する").click()
    expect(page.locator("main")).to_contain_text("手続の棚卸し")
    axe_check(page)
    page.get_by_role("link", name="青木 さくら").first.click()
    page.get_by_role("link", name="連絡先を見る（記録に残ります）").click()
    expect(page.locator("main")).to_contain_text("@example.jp")
    axe_check(page)
    _shot(page, "talent-contact")
