"""The liaison desk in a real browser at phone size, axe-core clean: a municipality asks (with a
file), the prefecture's DX team triages, answers and marks it answered, the municipality reads
the answer; the answer is published and found by an everyday question; a notice arrives.
Screenshots go to docs/screenshots/region-liaison-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import pdf_bytes
from madoguchi.region.tests.factories import hata_municipalities, prefecture_user
from madoguchi.region.tests.test_browser_region import WIDER_THAN_THE_SCREEN, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    page.screenshot(path=str(SHOTS / f"region-liaison-{name}.png"), full_page=True)


def test_a_municipality_asks_the_prefecture_answers_and_the_municipality_sees(page, axe_check):
    towns = hata_municipalities()
    prefecture = towns[0].prefecture
    dx = prefecture_user(prefecture)
    dx.last_name, dx.first_name = "県庁", "リエゾン"
    dx.save()
    manager = StaffUserFactory(municipality=towns[1], manager=True, email="m@town.example.jp")

    _sign_in(page, manager)
    page.goto(page.base_url + "/staff/region/liaison/")
    page.get_by_role("link", name="相談・講座を依頼する").click()
    page.get_by_role("button", name="送信する").click()
    expect(page.locator(".mg-error-text").first).to_be_visible()
    axe_check(page)
    page.goto(page.url)  # a fresh form
    page.get_by_label("分野").select_option(label="カイゼンDX")
    page.get_by_label("件名").fill("RPAの導入の進め方")
    page.get_by_label("内容").fill("税務課の入力作業をRPAで減らしたい。何から始めればよいか。")
    page.get_by_label("回答を事例として公開してよい").check()
    page.get_by_label("添付ファイル（PDF・画像）").set_input_files(
        {"name": "業務一覧.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    _shot(page, "ask")
    page.get_by_role("button", name="送信する").click()
    expect(page.locator("main")).to_contain_text("送信しました。")
    expect(page.get_by_role("link", name="業務一覧.pdf")).to_be_visible()
    expect(page.locator("#consultation-status")).to_have_text("受付")
    axe_check(page)
    case_url = page.url

    _sign_in(page, dx)
    page.goto(page.base_url + "/staff/region/liaison/")
    expect(page.locator("main table").first).to_contain_text(towns[1].name)
    axe_check(page)
    page.get_by_role("link", name="RPAの導入の進め方").click()
    page.get_by_label("優先度").select_option(label="高")
    page.get_by_label("担当リエゾン").select_option(label="県庁 リエゾン")
    page.get_by_role("button", name="振り分けを保存する").click()
    expect(page.locator("main")).to_contain_text("振り分けを保存しました。")
    page.get_by_label("本文").fill(
        "まず入力の多い業務を洗い出し、手順が決まっている作業からRPAのシナリオを作ります。"
    )
    page.get_by_role("button", name="送信する").click()
    expect(page.locator("#consultation-status")).to_have_text("対応中")
    page.get_by_label("次の状態").select_option(label="回答済")
    page.get_by_role("button", name="状態を変える").click()
    expect(page.locator("#consultation-status")).to_have_text("回答済")
    axe_check(page)
    _shot(page, "answer")
    page.get_by_role("link", name="相談事例として公開する").click()
    axe_check(page)
    page.get_by_role("button", name="公開する").click()
    expect(page.locator("main")).to_contain_text("相談事例として公開しました。")

    _sign_in(page, manager)
    page.goto(case_url)
    expect(page.locator("main")).to_contain_text("手順が決まっている作業からRPAのシナリオ")
    expect(page.locator("#consultation-status")).to_have_text("回答済")
    axe_check(page)
    _shot(page, "thread")
    page.goto(page.base_url + "/staff/region/liaison/knowledge/")
    page.get_by_label("知りたいこと").fill("入力作業を自動化したい")
    page.get_by_role("button", name="検索する").click()
    expect(page.get_by_role("status")).to_contain_text("1件")
    expect(page.locator("article").first).to_contain_text("RPAのシナリオ")
    axe_check(page)
    _shot(page, "knowledge")

    _sign_in(page, dx)
    page.goto(page.base_url + "/staff/region/liaison/notices/new/")
    page.get_by_label("件名").fill("出前講座のご案内")
    page.get_by_label("本文").fill("7月に管理職向けの講座を開きます。")
    page.get_by_role("button", name="送信する").click()
    expect(page.locator("main")).to_contain_text("お知らせを送りました。")
    axe_check(page)
    _sign_in(page, manager)
    page.goto(page.base_url + "/staff/region/liaison/notices/")
    expect(page.locator("main")).to_contain_text("未読")
    axe_check(page)
    _shot(page, "notices")
