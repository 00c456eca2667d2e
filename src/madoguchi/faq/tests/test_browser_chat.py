"""Resident journeys in a real browser: the chat page, the embedded widget, axe-core clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from madoguchi.faq import index_cache, services
from madoguchi.faq.models import FaqEntry, FaqQueryLog, Status
from madoguchi.tenancy.models import Municipality
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def town() -> Municipality:
    town = MunicipalityFactory()
    services.faq_entry_create(
        municipality=town,
        question="粗大ごみはどうやって出せばいいですか",
        answer="事前に**申し込み**が必要です。",
        category="ごみ",
        status=Status.PUBLISHED,
    )
    # A few neighbours, as in any real FAQ: confidence is relative to the rest of the index.
    for question, answer, category in [
        ("住民票の写しはどこで取れますか", "市民課の窓口かコンビニで取れます。", "届出・証明"),
        ("犬を飼い始めたら何が必要ですか", "犬の登録と狂犬病予防注射が必要です。", "ペット"),
        ("燃えるごみの収集日はいつですか", "地区ごとの収集日程表をご覧ください。", "ごみ"),
    ]:
        services.faq_entry_create(
            municipality=town,
            question=question,
            answer=answer,
            category=category,
            status=Status.PUBLISHED,
        )
    # As the background job would: the index (and the sentence model) ready before the first
    # question, so no request waits for a build.
    index_cache.get_index(town)
    return town


def test_chat_page_answers_and_takes_feedback(
    page: Any, axe_check: Any, town: Municipality
) -> None:
    page.goto(f"{page.base_url}/{town.code}/faq/")
    axe_check(page)
    page.get_by_role("textbox", name="質問").fill("粗大ごみを捨てたい")
    page.keyboard.press("Enter")
    log = page.locator("#faq-log")
    log.get_by_text("次の回答が見つかりました。").wait_for()
    assert "申し込み" in log.inner_text()
    axe_check(page)
    log.get_by_role("button", name="いいえ").click()
    log.get_by_text("ご回答ありがとうございました。").wait_for()
    log.get_by_role("link", name="言葉を変えてもう一度質問する").wait_for()
    assert log.get_by_role("link", name="窓口での相談を予約する").count() == 1
    axe_check(page)
    assert FaqQueryLog.objects.get().helpful is False
    # An unanswerable question is answered honestly.
    page.get_by_role("textbox", name="質問").fill("宇宙旅行の予約")
    page.keyboard.press("Enter")
    log.get_by_text("ぴったりの回答は見つかりませんでした").wait_for()


def test_no_answer_follow_ups_and_other_languages_without_javascript(
    browser: Any, live_server: Any, town: Municipality
) -> None:
    # (axe-core needs JavaScript; the same markup is checked in the test above.)
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    shots = Path("/tmp/shots/faq2")
    shots.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(f"{live_server.url}/{town.code}/faq/")
        page.get_by_role("textbox", name="質問").fill("粗大ごみを捨てたい")
        page.get_by_role("button", name="送信").click()
        page.get_by_text("次の回答が見つかりました。").wait_for()
        page.get_by_role("button", name="いいえ").click()
        page.get_by_role("link", name="窓口での相談を予約する").wait_for()
        assert page.get_by_role("textbox", name="質問").input_value() == "粗大ごみを捨てたい"
        page.screenshot(path=str(shots / "followup.png"), full_page=True)
        page.get_by_role("textbox", name="質問").fill("How do I throw away bulky garbage?")
        page.get_by_role("button", name="送信").click()
        page.get_by_text("粗大ごみはどうやって出せばいいですか").first.wait_for()
        assert "in Japanese" in page.locator('p[lang="en"]').inner_text()
        page.screenshot(path=str(shots / "english.png"), full_page=True)
        # The town enters English text: English readers get it.
        entry = FaqEntry.objects.get(question="粗大ごみはどうやって出せばいいですか")
        services.faq_entry_update(
            entry=entry,
            question_en="How do I put out bulky waste?",
            answer_en="Apply **in advance** by phone or online.",
        )
        page.get_by_role("textbox", name="質問").fill("How do I throw away bulky garbage?")
        page.get_by_role("button", name="送信").click()
        # Shown as the answer or, when not sure, as the closest question (opened here).
        english = page.locator('span[lang="en"]', has_text="How do I put out bulky waste?").last
        english.wait_for()
        if page.locator("details", has=english).count():
            english.click()
        body = page.locator('.faq-answer__body[lang="en"]', has_text="Apply in advance").last
        body.wait_for()
        page.screenshot(path=str(shots / "english-text.png"), full_page=True)
    finally:
        context.close()


def test_widget_embeds_in_the_towns_page_in_english(page: Any, town: Municipality) -> None:
    # The town's page on another origin (127.0.0.1 vs localhost: both loopback, so Chromium's
    # private-network rules do not interfere), allowed to frame the chat by town.website.
    host = page.base_url.replace("localhost", "127.0.0.1") + "/town-page.html"
    Municipality.objects.filter(pk=town.pk).update(website=host)
    from madoguchi.tenancy.access import forget_municipality

    forget_municipality(town.code)
    host_html = (
        '<!DOCTYPE html><html lang="en"><head><title>Town</title></head><body><h1>Town</h1>'
        f'<script src="{page.base_url}/static/faq/widget.js" data-municipality="{town.code}"></script>'
        "</body></html>"
    )
    page.route(
        host, lambda route: route.fulfill(status=200, content_type="text/html", body=host_html)
    )
    page.context.grant_permissions(["local-network-access"])
    page.goto(host)
    button = page.get_by_role("button", name="Ask a question (chat)")
    assert button.get_attribute("href") == f"{page.base_url}/{town.code}/faq/"
    button.click()
    frame = page.frame_locator("iframe[title='FAQ chat']")
    frame.get_by_role("textbox", name="Question").fill("粗大ごみ")
    frame.get_by_role("button", name="Send").click()
    frame.get_by_text("Here is the answer we found.").wait_for()
    page.get_by_role("button", name="Close the chat").click()
    assert page.locator("iframe").count() == 0


def test_chat_works_without_javascript(browser: Any, live_server: Any, town: Municipality) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/{town.code}/faq/")
    page.get_by_role("textbox", name="質問").fill("粗大ごみの出し方")
    page.get_by_role("button", name="送信").click()
    page.get_by_text("次の回答が見つかりました。").wait_for()
    page.get_by_role("button", name="はい").click()
    page.get_by_text("ご回答ありがとうございました。").wait_for()
    assert FaqQueryLog.objects.get().helpful is True
    context.close()
