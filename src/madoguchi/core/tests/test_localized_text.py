"""The one rule for which language version of an entered text a reader sees, and its template tags."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe

from madoguchi.core.localized_text import (
    EASY_JAPANESE_COOKIE,
    LocalizedText,
    easy_japanese_chosen,
    localized,
)

TEXT = SimpleNamespace(
    fees="1通300円",
    fees_en="300 yen per copy",
    fees_easy="",
    summary="住民票の写しを請求します。",
    summary_en="",
    summary_easy="住民票の 写しを 申し込みます。",
    note="  ",
)


def test_japanese_reader_gets_japanese() -> None:
    assert localized(TEXT, "fees", "ja") == LocalizedText("1通300円", "ja", is_fallback=False)


def test_japanese_reader_who_chose_easy_japanese_gets_it_where_written() -> None:
    easy = localized(TEXT, "summary", "ja", easy=True)
    assert easy.text == "住民票の 写しを 申し込みます。"
    assert easy.is_easy and not easy.is_fallback and easy.lang == "ja"
    # No やさしい日本語 version: the ordinary Japanese, without a badge (it is the reader's language).
    plain = localized(TEXT, "fees", "ja", easy=True)
    assert plain == LocalizedText("1通300円", "ja", is_fallback=False)


def test_english_reader_gets_english_else_marked_japanese() -> None:
    assert localized(TEXT, "fees", "en") == LocalizedText("300 yen per copy", "en", False)
    fallback = localized(TEXT, "summary", "en", easy=True)  # easy only matters in Japanese
    assert fallback == LocalizedText("住民票の写しを請求します。", "ja", is_fallback=True)
    with translation.override("en"):
        assert fallback.badge == "Japanese only"
    with translation.override("ja"):
        assert fallback.badge == "日本語のみ"


def test_other_readers_get_their_language_then_english_then_japanese() -> None:
    text = SimpleNamespace(fees="無料", fees_en="Free", fees_pt_br="Grátis", summary="概要")
    assert localized(text, "fees", "pt-br") == LocalizedText("Grátis", "pt-BR", False)
    assert localized(text, "fees", "zh-hans") == LocalizedText("Free", "en", is_fallback=True)
    assert localized(text, "summary", "ko") == LocalizedText("概要", "ja", is_fallback=True)
    text_zh = SimpleNamespace(fees="無料", fees_zh_hans="免费")
    assert localized(text_zh, "fees", "zh-hans").lang == "zh-Hans"


def test_empty_and_blank_texts_are_absent_not_fallbacks() -> None:
    for language in ("ja", "en", "vi"):
        absent = localized(TEXT, "note", language)
        assert not absent and not absent.is_fallback and absent.badge == ""
    assert localized(SimpleNamespace(), "missing", "en").text == ""


def test_mappings_work_like_objects() -> None:
    row = {"name": "住民票・証明書", "name_en": "Certificates"}
    assert localized(row, "name", "en").text == "Certificates"


def test_default_language_is_the_active_one() -> None:
    with translation.override("en"):
        assert localized(TEXT, "fees").text == "300 yen per copy"
    with translation.override("ja"):
        assert localized(TEXT, "fees").text == "1通300円"


def test_lines_split_lists() -> None:
    text = LocalizedText("本人確認書類\n\n 手数料 \n", "ja", is_fallback=False)
    assert text.lines == ["本人確認書類", "手数料"]


def _render(source: str, obj: object, *, easy: bool = False) -> str:
    request = RequestFactory().get("/")
    if easy:
        request.COOKIES[EASY_JAPANESE_COOKIE] = "1"
    template = Template("{% load localized_text %}" + source)
    return template.render(Context({"obj": obj, "request": request}))


def test_block_tag_marks_the_language_and_badges_a_fallback_in_the_readers_language() -> None:
    with translation.override("en"):
        html = _render('{% localized_block obj "summary" css="mg-lead" %}', TEXT)
    assert 'lang="ja"' in html and 'data-fallback="true"' in html
    assert '<span class="mg-lang-badge" lang="en">Japanese only</span>' in html
    assert "住民票の写しを請求します。" in html and 'class="mg-localized mg-lead"' in html
    with translation.override("en"):
        html = _render('{% localized_block obj "fees" element="dd" %}', TEXT)
    assert html == '<dd class="mg-localized" lang="en">300 yen per copy</dd>'


def test_block_tag_formats_lines_and_paragraphs_and_escapes() -> None:
    obj = SimpleNamespace(what="<b>印鑑</b>\n手数料", body="一段落目\n\n二段落目")
    with translation.override("ja"):
        lines = _render('{% localized_block obj "what" element="div" format="lines" %}', obj)
        paragraphs = _render(
            '{% localized_block obj "body" element="div" format="linebreaks" %}', obj
        )
    assert "<li>&lt;b&gt;印鑑&lt;/b&gt;</li><li>手数料</li>" in lines
    assert "<p>一段落目</p>" in paragraphs and "<p>二段落目</p>" in paragraphs
    assert _render('{% localized_block obj "nothing" %}', obj) == ""


def test_block_tag_uses_easy_japanese_from_the_cookie() -> None:
    with translation.override("ja"):
        assert "申し込みます" in _render('{% localized_block obj "summary" %}', TEXT, easy=True)
        assert "請求します" in _render('{% localized_block obj "summary" %}', TEXT)


def test_localized_tag_and_badge_for_custom_layouts() -> None:
    with translation.override("en"):
        html = _render(
            '{% localized obj "summary" as s %}<x lang="{{ s.lang }}">{% language_badge s %}{{ s }}</x>',
            TEXT,
        )
    assert html.startswith('<x lang="ja"><span class="mg-lang-badge" lang="en">Japanese only')


def test_sanitised_html_stays_html_and_plain_text_is_escaped() -> None:
    obj = SimpleNamespace(
        answer=mark_safe("<p>窓口で<strong>請求</strong></p>"),
        answer_en=mark_safe("<p>At the <strong>counter</strong></p>"),
        contact="<b>市民課</b>",
    )
    with translation.override("ja"):
        html = _render(
            '{% localized obj "answer" as a %}{{ a }}|{% localized obj "contact" as c %}{{ c }}',
            obj,
        )
    assert html == "<p>窓口で<strong>請求</strong></p>|&lt;b&gt;市民課&lt;/b&gt;"


def test_a_template_may_name_the_readers_language() -> None:
    """The FAQ chat answers in the language a question was written in, whatever the page's."""
    with translation.override("ja"):
        html = _render('{% localized obj "fees" language="en" as f %}{{ f.lang }}:{{ f }}', TEXT)
        block = _render('{% localized_block obj "summary" language="vi" %}', TEXT)
    assert html == "en:300 yen per copy"
    # Neither Vietnamese nor English written: Japanese, badged in the page's language.
    assert 'lang="ja" data-fallback="true"' in block and "日本語のみ" in block


@pytest.mark.parametrize(("value", "chosen"), [("1", True), ("0", False), (None, False)])
def test_easy_japanese_cookie(value: str | None, chosen: bool) -> None:
    request = RequestFactory().get("/")
    if value is not None:
        request.COOKIES[EASY_JAPANESE_COOKIE] = value
    assert easy_japanese_chosen(request) is chosen
    assert easy_japanese_chosen(None) is False


def test_the_switch_sets_and_clears_the_cookie_and_goes_back(client: object) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    response = client.post("/i18n/easy-japanese/", {"easy": "1", "next": "/229997/"})
    assert response.status_code == 302 and response["Location"] == "/229997/"
    assert response.cookies[EASY_JAPANESE_COOKIE].value == "1"
    assert response.cookies[EASY_JAPANESE_COOKIE]["httponly"]
    response = client.post("/i18n/easy-japanese/", {"easy": "0", "next": "/229997/"})
    assert response.cookies[EASY_JAPANESE_COOKIE].value == ""
    # Never a redirect to another site; GET is refused.
    response = client.post("/i18n/easy-japanese/", {"easy": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/i18n/easy-japanese/").status_code == 405


@pytest.mark.parametrize(
    ("path", "language", "shown"),
    [("/229997/", "ja", True), ("/229997/", "en", False), ("/staff/", "ja", False)],
)
def test_the_switch_is_offered_on_residents_japanese_pages(
    path: str, language: str, shown: bool
) -> None:
    request = RequestFactory().get(path)
    with translation.override(language):
        html = Template("{% load localized_text %}{% easy_japanese_toggle %}").render(
            Context({"request": request})
        )
    assert ('action="/i18n/easy-japanese/"' in html) is shown
