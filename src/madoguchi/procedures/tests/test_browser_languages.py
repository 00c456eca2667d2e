"""A procedure page in English with one text not yet translated (a visible "Japanese only" badge),
and in やさしい日本語 chosen with the switch next to the language button, without JavaScript;
at phone size, axe-core on every page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from madoguchi.procedures.models import Procedure
from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("MADOGUCHI_SHOTS", "/tmp/shots/content"))


@pytest.fixture
def town() -> Any:
    municipality = MunicipalityFactory(
        name="窓口市",
        name_en="Madoguchi City",
        department="市民課",
        department_en="Citizens Division",
        opening_note="土日・祝日・年末年始（12月29日〜1月3日）は閉庁",
        opening_note_en="Closed on Saturdays, Sundays, national holidays and 29 December to 3 January",
    )
    library_install(municipality=municipality, publish=True)
    life_events_install(municipality=municipality)
    # One text the municipality has not translated yet.
    Procedure.objects.filter(municipality=municipality, slug="residence-certificate").update(
        fees_en=""
    )
    return municipality


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_procedure_page_in_english_marks_the_untranslated_text(
    page: Any, axe_check: Any, town: Any
) -> None:
    page.goto(f"{page.base_url}/{town.code}/procedures/residence-certificate/")
    page.click(".mg-lang--menu > summary")  # the language menu (a disclosure)
    with page.expect_navigation():
        page.click("button:has-text('English')")
    assert page.locator("html").get_attribute("lang") == "en"
    lead = page.locator(".mg-lead")
    assert lead.get_attribute("lang") == "en"
    assert lead.inner_text().startswith("Request a copy of your residence certificate")
    # The untranslated fee: Japanese text, lang="ja", with the badge in English beside it.
    fallback = page.locator("[data-fallback]")
    assert fallback.count() == 1
    assert fallback.get_attribute("lang") == "ja"
    badge = fallback.locator(".mg-lang-badge")
    assert badge.inner_text() == "Japanese only"
    assert badge.get_attribute("lang") == "en"
    assert "1通300円" in fallback.inner_text()
    assert "Proof of identity" in page.inner_text("main")
    assert page.locator(".mg-header").get_by_text("やさしい日本語").count() == 0
    axe_check(page)
    shot(page, "procedure-en")


def test_easy_japanese_is_chosen_without_javascript(
    browser: Any, live_server: Any, axe_check: Any, town: Any
) -> None:
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        url = f"{live_server.url}/{town.code}/procedures/residence-certificate/"
        page.goto(url)
        assert "住民票の写しや住民票記載事項証明書を請求し" in page.inner_text(".mg-lead")
        with page.expect_navigation():
            page.click("button:has-text('やさしい日本語')")
        assert page.url == url
        assert page.inner_text(".mg-lead") == "住民票の 写しを 申し込んで、郵便で 受け取ります。"
        assert "コンビニの コピー機でも 取れます" in page.inner_text("main")
        # A text without a やさしい日本語 version: ordinary Japanese, no badge.
        assert "1通300円" in page.inner_text("main")
        assert page.locator(".mg-lang-badge").count() == 0
        shot(page, "procedure-easy-ja")
        # The choice stays while the resident moves on, and can be undone.
        page.goto(f"{live_server.url}/{town.code}/life-events/moving/")
        assert "ほかの 市や 町に 引っ越すとき" in page.inner_text(".mg-lead")
        with page.expect_navigation():
            page.click("button:has-text('やさしい日本語をやめる')")
        assert "市外へ引っ越すとき" in page.inner_text(".mg-lead")
    finally:
        context.close()
    # axe needs JavaScript: check the same page in a JavaScript context with the cookie set.
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "mg_easy_ja", "value": "1", "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/{town.code}/procedures/residence-certificate/")
        assert page.inner_text(".mg-lead").startswith("住民票の 写しを")
        axe_check(page)
    finally:
        context.close()
