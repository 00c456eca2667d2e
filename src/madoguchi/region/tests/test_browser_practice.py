"""The good-practice library in a real browser at phone size, axe-core clean: a municipality
writes its case, takes Madoguchi's measured figure as an effect and asks the prefecture to
review it; the DX team publishes it; another municipality finds it by everyday words, takes it
up and reports its result, which the case page then lists. Screenshots go to
docs/screenshots/region-practice-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.insights.tests.factories import small_town
from madoguchi.region.practice import demo
from madoguchi.region.tests.factories import hata_municipalities, prefecture_user
from madoguchi.region.tests.test_browser_region import _sign_in
from madoguchi.region.tests.test_browser_survey_talent import _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_review_find_and_adopt_a_case(page, axe_check):
    towns = hata_municipalities()
    prefecture = towns[0].prefecture
    dx = prefecture_user(prefecture)
    demo.load(towns=towns, actor=dx)
    author = small_town(towns[5])["municipality"]  # 黒潮町 with measured visits and applications

    _sign_in(page, StaffUserFactory(municipality=author, manager=True))
    page.goto(page.base_url + "/staff/region/practice/")
    page.get_by_role("link", name="自分の自治体の事例を登録する").click()
    page.get_by_role("button", name="下書きを保存する").click()
    expect(page.locator(".mg-error-summary")).to_contain_text("入力を確かめてください")
    axe_check(page)
    page.get_by_label("事例の名前").fill("オンライン申請を窓口で案内する")
    page.get_by_label("オンライン化").check()
    page.get_by_label("窓口DX").check()
    page.get_by_label("取り組んだこと").fill(
        "窓口で待つ住民に、次からスマートフォンで申請できる手続を案内するチラシを渡した。"
    )
    page.get_by_label("検索の言葉").fill("チラシ 案内 来庁者 電子申請")
    page.get_by_role("button", name="下書きを保存する").click()
    expect(page.locator("main")).to_contain_text("保存しました。")
    page.get_by_role("button", name="「オンライン化で減った窓口の対応時間」を効果に入れる").click()
    effects = page.locator("#effects + ul")
    expect(effects).to_contain_text("オンライン化で減った窓口の対応時間：0.4 時間")
    expect(effects).to_contain_text("Madoguchi の計測")
    axe_check(page)
    _shot(page, "practice-draft")
    page.get_by_role("button", name="県に確認を依頼する").click()
    expect(page.locator("main")).to_contain_text("県のDX推進チームに確認を依頼しました。")
    case_url = page.url

    _sign_in(page, dx)
    page.goto(page.base_url + "/staff/region/practice/")
    page.get_by_role("link", name="オンライン申請を窓口で案内する").click()
    page.get_by_label("公開する", exact=True).check()
    page.get_by_role("button", name="確認の結果を送る").click()
    expect(page.locator("main")).to_contain_text("公開しました。")
    axe_check(page)

    _sign_in(page, StaffUserFactory(municipality=towns[4], manager=True))
    page.goto(page.base_url + "/staff/region/practice/")
    page.get_by_label("キーワード").fill("来庁者に電子申請を案内したい")
    page.get_by_role("button", name="探す").click()
    first = page.locator(".rg-cases > li").first
    expect(first).to_contain_text("オンライン申請を窓口で案内する")
    expect(first).to_contain_text("Madoguchi の計測")
    axe_check(page)
    _shot(page, "practice-search")
    first.get_by_role("link", name="オンライン申請を窓口で案内する").click()
    page.get_by_role("button", name="この事例を参考に取り組む").click()
    expect(page.locator("main")).to_contain_text("結果が出たら報告してください。")
    form = page.locator("#result-heading + form")
    form.get_by_label("結果", exact=True).fill("オンライン申請の割合の増加")
    form.get_by_label("数値").fill("12")
    form.get_by_label("単位").fill("ポイント")
    form.get_by_label("期間").select_option(label="計測期間の値")
    form.get_by_role("button", name="結果を報告する").click()
    expect(page.locator("#adopters + ul")).to_contain_text(f"{towns[4].name}：")
    expect(page.locator("#adopters + ul")).to_contain_text(
        "オンライン申請の割合の増加：12 ポイント"
    )
    assert page.url == case_url
    axe_check(page)
    _shot(page, "practice-case")


def test_survey_questions_are_edited_and_moved_without_javascript(phone, axe):
    """上へ / 下へ and the edit form are plain form posts: they work with JavaScript off."""
    from madoguchi.region.survey import services as survey_services

    towns = hata_municipalities()
    dx = prefecture_user(towns[0].prefecture)
    survey = survey_services.survey_create(
        prefecture=towns[0].prefecture, fiscal_year=2026, title="DX推進状況調査"
    )
    page = phone("ja", False)
    _sign_in(page, dx)
    page.goto(page.base_url + f"/staff/region/surveys/{survey.pk}/")
    page.get_by_role("button", name="3番目を上へ").first.click()
    structure = page.locator("ol.rg-questions").first.locator("> li")
    expect(structure.nth(1)).to_contain_text("全体方針")
    axe(page)
    page.get_by_role("link", name="2番目の設問を変更").first.click()
    page.get_by_label("設問", exact=True).fill("DX推進の全体方針を策定していますか。")
    page.get_by_role("button", name="変更する").click()
    expect(page.locator("main")).to_contain_text("設問を変更しました。")
    expect(structure.nth(1)).to_contain_text("DX推進の全体方針を策定していますか。")
    _shot(page, "survey-questions")
