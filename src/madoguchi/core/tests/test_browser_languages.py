"""Residents' languages in a real browser at phone size: the home page and a form step in
Vietnamese (with JavaScript) and Chinese (simplified, without JavaScript), axe-core clean.

Set MADOGUCHI_SHOTS=docs/screenshots to refresh home-vi.png, home-zh-hans.png and the form steps.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from madoguchi.procedures.models import Procedure
from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff]")


@pytest.fixture
def town() -> Any:
    municipality = MunicipalityFactory(phone="0559-00-1234", email="madoguchi@example.jp")
    library_install(municipality=municipality, publish=True)
    life_events_install(municipality=municipality)
    return municipality


def shot(page: Any, name: str) -> None:
    if folder := os.environ.get("MADOGUCHI_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _online_procedure(town: Any) -> Procedure:
    procedure = (
        Procedure.objects.filter(municipality=town, online=True, is_published=True)
        .exclude(form_versions=None)
        .order_by("sort_order", "pk")
        .first()
    )
    assert procedure is not None
    return procedure


def _choose_language(page: Any, name: str) -> None:
    page.click(".mg-lang--menu > summary")
    with page.expect_navigation():
        page.click(f".mg-lang__choice:has-text('{name}')")


def _no_japanese_of_ours(page: Any) -> None:
    """The menu and header, headings, buttons and labels: ours, so none in Japanese script."""
    for selector in ("summary", "h1", ".mg-button", "label", ".mg-footer__title"):
        for text in page.locator(selector).all_inner_texts():
            if KANA.search(text):
                # Only what the municipality entered may be Japanese (procedure names, fields).
                assert selector in ("h1", "label"), f"{selector}: {text!r}"


def test_home_and_a_form_step_in_vietnamese(page: Any, axe_check: Any, town: Any) -> None:
    page.goto(f"{page.base_url}/{town.code}/")
    _choose_language(page, "Tiếng Việt")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#life-events-title").inner_text() == "Tìm theo sự kiện trong cuộc sống"
    assert "Đặt lịch hẹn" in page.inner_text("main")
    _no_japanese_of_ours(page)
    axe_check(page)
    shot(page, "home-vi")

    procedure = _online_procedure(town)
    page.goto(f"{page.base_url}/{town.code}/procedures/{procedure.slug}/")
    with page.expect_navigation():
        page.click("button:has-text('Nộp hồ sơ trực tuyến')")
    assert "/apply/" in page.url
    assert page.locator("html").get_attribute("lang") == "vi"
    axe_check(page)
    shot(page, "form-step-vi")
    # Sent empty: the error summary and the field errors speak Vietnamese.
    with page.expect_navigation():
        page.click("button[name=_action][value=next]")
    summary = page.locator(".mg-error-summary")
    assert "lỗi trong nội dung bạn nhập" in summary.inner_text()
    assert not KANA.search(page.locator(".mg-error-summary__title").inner_text())
    axe_check(page)


def test_home_and_a_form_step_in_chinese_without_javascript(
    browser: Any, live_server: Any, page: Any, axe_check: Any, town: Any
) -> None:
    """Chosen and used without JavaScript; axe-core (a script) then checks the same pages."""
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    nojs = context.new_page()
    nojs.set_default_timeout(10_000)
    procedure = _online_procedure(town)
    try:
        nojs.goto(f"{live_server.url}/{town.code}/")
        _choose_language(nojs, "简体中文")  # a <details> menu and a form: no script needed
        assert nojs.locator("html").get_attribute("lang") == "zh-hans"
        assert nojs.locator("#life-events-title").inner_text() == "按生活事件查找"
        _no_japanese_of_ours(nojs)
        shot(nojs, "home-zh-hans")
        nojs.goto(f"{live_server.url}/{town.code}/procedures/{procedure.slug}/")
        with nojs.expect_navigation():
            nojs.click("button:has-text('在线申请')")
        assert "/apply/" in nojs.url
        assert nojs.locator("html").get_attribute("lang") == "zh-hans"
        shot(nojs, "form-step-zh-hans")
        step_url = nojs.url
        cookies = context.cookies()
    finally:
        context.close()

    page.context.add_cookies(cookies)  # the same resident (language and draft) with scripts
    page.goto(f"{page.base_url}/{town.code}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    axe_check(page)
    page.goto(step_url)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "/apply/" in page.url
    axe_check(page)
