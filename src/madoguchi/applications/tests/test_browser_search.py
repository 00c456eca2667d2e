"""Searching the catalogue and browsing by life event in a real browser at phone size, in
Japanese and English, with and without JavaScript; axe-core on every page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("MADOGUCHI_SHOTS", "/tmp/shots/search"))


@pytest.fixture
def town() -> Any:
    municipality = MunicipalityFactory(phone="0559-00-1234", email="madoguchi@example.jp")
    library_install(municipality=municipality, publish=True)
    life_events_install(municipality=municipality)
    return municipality


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_search_and_life_events_in_japanese(page: Any, axe_check: Any, town: Any) -> None:
    page.goto(f"{page.base_url}/{town.code}/")
    axe_check(page)
    shot(page, "home-ja")

    # A life event leads to its procedures.
    with page.expect_navigation():
        page.click(".mg-life-events >> text=引っ越し")
    assert page.locator("h1").inner_text() == "引っ越し"
    assert page.locator(".mg-card__title", has_text="転出届").count() == 1
    axe_check(page)
    shot(page, "life-event-moving-ja")

    # What happened, in the resident's words.
    page.goto(f"{page.base_url}/{town.code}/")
    page.fill("#q", "子どもが生まれた")
    with page.expect_navigation():
        page.click("button:has-text('探す')")
    titles = page.locator(".mg-card__title").all_inner_texts()
    assert any("児童手当" in t for t in titles[:3])
    axe_check(page)
    shot(page, "search-hit-ja")

    # No hit: the FAQ with the same words, and the desk.
    page.fill("#q", "ドローンを飛ばしたい")
    with page.expect_navigation():
        page.click("button:has-text('探す')")
    notice = page.locator(".mg-notice")
    assert "該当する手続が見つかりませんでした" in notice.inner_text()
    assert "0559-00-1234" in notice.inner_text()
    axe_check(page)
    shot(page, "search-no-hit-ja")
    with page.expect_navigation():
        page.click("text=「ドローンを飛ばしたい」をよくある質問で調べる")
    assert "/faq/" in page.url
    assert "ドローンを飛ばしたい" in page.inner_text("main")


def test_search_and_life_events_in_english(page: Any, axe_check: Any, town: Any) -> None:
    page.goto(f"{page.base_url}/{town.code}/")
    page.click(".mg-lang--menu > summary")  # the language menu (a disclosure)
    with page.expect_navigation():
        page.click("button:has-text('English')")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#life-events-title").inner_text() == "Find by life event"
    axe_check(page)
    shot(page, "home-en")

    with page.expect_navigation():
        page.click(".mg-life-events >> text=After a disaster")
    assert page.locator("h1").inner_text() == "After a disaster"
    axe_check(page)
    shot(page, "life-event-disaster-en")

    page.goto(f"{page.base_url}/{town.code}/?q=drone")
    assert "No procedure matched your search." in page.inner_text("main")
    axe_check(page)
    shot(page, "search-no-hit-en")


def test_search_and_life_events_without_javascript(
    browser: Any, live_server: Any, town: Any
) -> None:
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/{town.code}/")
        page.fill("#q", "いんかんしょうめい")
        with page.expect_navigation():
            page.click("button:has-text('探す')")
        first = page.locator(".mg-card__title").first.inner_text()
        assert "印鑑登録証明書" in first
        shot(page, "search-kana-nojs-ja")
        page.goto(f"{live_server.url}/{town.code}/")
        with page.expect_navigation():
            page.click(".mg-life-events >> text=介護")
        assert page.locator(".mg-card__title", has_text="要介護").count() == 1
    finally:
        context.close()
