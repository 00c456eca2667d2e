"""Resident chat over HTTP: the no-JS page, the JSON endpoint, the iframe page, abuse limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.faq import services
from madoguchi.faq.models import FaqEntry, FaqQueryLog, Status
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> Municipality:
    town = MunicipalityFactory(website="https://www.town.example.jp/kurashi/")
    proc = Procedure.objects.create(
        municipality=town,
        slug="residence-certificate",
        name="住民票の写しの請求",
        is_published=True,
    )
    services.faq_entry_create(
        municipality=town,
        question="住民票の写しはどこで取れますか",
        alt_questions="住民票がほしい",
        answer="市民課の窓口で取れます。**本人確認書類**をお持ちください。",
        category="戸籍・住民票",
        contact="市民課 0559-00-0001",
        status=Status.PUBLISHED,
        related_procedures=[proc],
    )
    services.faq_entry_create(
        municipality=town,
        question="粗大ごみはどうやって出せばいいですか",
        answer="事前に申し込んでください。",
        category="ごみ",
        status=Status.PUBLISHED,
    )
    return town


def _url(town: Municipality, name: str) -> str:
    return reverse(f"faq:{name}", kwargs={"municipality_code": town.code})


def test_chat_page_renders_with_suggestions(client: Client, town: Municipality) -> None:
    response = client.get(_url(town, "chat"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "よくある質問" in body and "粗大ごみはどうやって出せばいいですか" in body
    assert response["X-Frame-Options"] == "DENY"


def test_form_post_answers_without_javascript(client: Client, town: Municipality) -> None:
    response = client.post(_url(town, "chat"), {"q": "住民票が欲しいのですが"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "次の回答が見つかりました" in body
    assert "<strong>本人確認書類</strong>" in body
    assert "/procedures/residence-certificate/" in body
    assert "解決しましたか？" in body
    log = FaqQueryLog.objects.get()
    assert log.answered and log.top_doc.startswith("e")


def test_suggestion_links_work_as_get(client: Client, town: Municipality) -> None:
    response = client.get(_url(town, "chat"), {"q": "粗大ごみはどうやって出せばいいですか"})
    assert "事前に申し込んでください" in response.content.decode()


def test_no_good_answer_is_said_honestly(client: Client, town: Municipality) -> None:
    response = client.post(_url(town, "chat"), {"q": "明日の天気を教えて"})
    body = response.content.decode()
    assert "ぴったりの回答は見つかりませんでした" in body
    assert "0559-00-0000" in body or town.phone in body  # the contact desk
    assert "次の回答が見つかりました" not in body
    assert FaqQueryLog.objects.get().answered is False


def test_json_endpoint(client: Client, town: Municipality) -> None:
    response = client.post(_url(town, "ask_json"), {"q": "住民票がほしい"})
    data: dict[str, Any] = response.json()
    assert data["confident"] is True
    assert data["answer"]["question"] == "住民票の写しはどこで取れますか"
    assert data["answer"]["procedures"][0]["url"].endswith("/procedures/residence-certificate/")
    assert "faq-turn" in data["html"]
    assert data["log_id"]


def test_feedback_json_and_plain(client: Client, town: Municipality) -> None:
    log_id = client.post(_url(town, "ask_json"), {"q": "住民票がほしい"}).json()["log_id"]
    ok = client.post(
        _url(town, "feedback"), {"log": log_id, "helpful": "0"}, HTTP_ACCEPT="application/json"
    )
    assert ok.json()["ok"] is True
    assert "窓口での相談を予約する" in ok.json()["html"]
    assert FaqQueryLog.objects.get().helpful is False
    plain = client.post(_url(town, "feedback"), {"log": log_id, "helpful": "1", "embed": "1"})
    assert plain.status_code == 302 and "/faq/embed/?thanks=1" in plain["Location"]
    assert FaqQueryLog.objects.get().helpful is True
    bad = client.post(_url(town, "feedback"), {"log": "not-a-uuid", "helpful": "1"})
    assert bad.status_code == 400


def test_no_answers_follow_up_without_javascript(client: Client, town: Municipality) -> None:
    client.post(_url(town, "chat"), {"q": "住民票が欲しいのですが"})
    log = FaqQueryLog.objects.get()
    response = client.post(_url(town, "feedback"), {"log": str(log.public_id), "helpful": "0"})
    assert response.status_code == 200
    body = response.content.decode()
    # Rephrase (the question back in the box), the procedure, a consultation, the desk.
    assert "言葉を変えてもう一度質問する" in body
    assert 'value="住民票が欲しいのですが"' in body
    assert "/procedures/residence-certificate/" in body
    assert reverse("reservations:start", kwargs={"municipality_code": town.code}) in body
    assert "市民課 0559-00-0001" in body
    log.refresh_from_db()
    assert log.helpful is False
    # Another town's log gives nothing away.
    other = MunicipalityFactory()
    stranger = client.post(_url(other, "feedback"), {"log": str(log.public_id), "helpful": "0"})
    assert stranger.status_code == 400


def test_a_question_in_english_gets_the_japanese_answer_with_a_note(
    client: Client, town: Municipality
) -> None:
    response = client.post(_url(town, "chat"), {"q": "Where can I get a residence certificate?"})
    body = response.content.decode()
    assert "住民票の写しはどこで取れますか" in body
    assert 'lang="en"' in body and "available in Japanese only" in body
    assert "市民課 0559-00-0001" in body
    response = client.post(_url(town, "chat"), {"q": "住民票がほしい"})
    assert "faq-reader-note" not in response.content.decode()


def test_english_text_entered_by_the_town_is_shown_to_readers_of_other_languages(
    client: Client, town: Municipality
) -> None:
    entry = FaqEntry.objects.get(question="住民票の写しはどこで取れますか")
    services.faq_entry_update(
        entry=entry,
        question_en="Where can I get a copy of my residence certificate?",
        answer_en="At the **Citizens Division** counter. <script>x()</script>Bring your ID.",
    )
    body = client.post(
        _url(town, "chat"), {"q": "Where can I get a residence certificate?"}
    ).content.decode()
    assert '<span lang="en">Where can I get a copy of my residence certificate?</span>' in body
    assert '<div class="faq-answer__body" lang="en">' in body
    assert "<strong>Citizens Division</strong>" in body and "<script>" not in body
    assert "available in Japanese only" not in body
    # A Chinese reader gets the English text too, with a note in Chinese; a Japanese reader
    # the Japanese text.
    body = client.post(_url(town, "chat"), {"q": "在哪里可以办住民票？"}).content.decode()
    assert "Citizens Division" in body and "此回答以英语显示" in body
    body = client.post(_url(town, "chat"), {"q": "住民票がほしい"}).content.decode()
    assert "Citizens Division" not in body
    assert '<div class="faq-answer__body" lang="ja">' in body


def test_contact_and_category_follow_the_readers_language_with_a_visible_fallback(
    client: Client, town: Municipality
) -> None:
    entry = FaqEntry.objects.get(question="住民票の写しはどこで取れますか")
    services.faq_entry_update(
        entry=entry,
        question_en="Where can I get a copy of my residence certificate?",
        answer_en="At the Citizens Division counter.",
        category_en="Family register",
        contact_en="Citizens Division 0559-00-0001",
    )
    client.cookies["django_language"] = "en"
    # The English page: categories and suggested questions in English where written, the
    # others in Japanese marked as such.
    body = client.get(_url(town, "chat")).content.decode()
    assert '<span lang="en">Family register</span>' in body
    assert ">Where can I get a copy of my residence certificate?</a>" in body
    assert 'lang="ja"><span class="mg-lang-badge" lang="en">Japanese only</span> ごみ' in body
    # A question in Japanese on the English page gets the English texts, contact included.
    body = client.post(_url(town, "chat"), {"q": "住民票がほしい"}).content.decode()
    assert '<div class="faq-answer__body" lang="en"><p>At the Citizens Division counter.' in body
    assert ">Citizens Division 0559-00-0001</span>" in body
    assert "市民課 0559-00-0001" not in body
    # 「解決しましたか → いいえ」 without JavaScript: the desk's contact in English too.
    log = FaqQueryLog.objects.latest("created_at")
    body = client.post(
        _url(town, "feedback"), {"log": str(log.public_id), "helpful": "0", "lang": "en"}
    ).content.decode()
    assert "Citizens Division 0559-00-0001" in body and "市民課 0559-00-0001" not in body
    # A Japanese reader still gets the Japanese texts.
    del client.cookies["django_language"]
    body = client.post(_url(town, "chat"), {"q": "住民票がほしい"}).content.decode()
    assert "市民課 0559-00-0001" in body and "Citizens Division" not in body


def test_embed_page_may_be_framed_by_the_towns_site_only(
    client: Client, town: Municipality
) -> None:
    response = client.get(_url(town, "embed"))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.town.example.jp" in csp
    assert "script-src 'self'" in csp
    # The ordinary page stays unframeable.
    assert "frame-ancestors 'none'" in client.get(_url(town, "chat"))["Content-Security-Policy"]


def test_embed_offers_english(client: Client, town: Municipality) -> None:
    body = client.get(_url(town, "embed"), {"lang": "en"}).content.decode()
    assert '<html lang="en">' in body
    assert "日本語" in body  # the switch back
    assert "Question" in body and "Send" in body


def test_input_length_is_limited(client: Client, town: Municipality) -> None:
    response = client.post(_url(town, "ask_json"), {"q": "あ" * 201})
    assert response.status_code == 400
    assert "200文字以内" in response.json()["error"]
    assert client.post(_url(town, "ask_json"), {"q": "  "}).status_code == 400
    assert not FaqQueryLog.objects.exists()


def test_rate_limit_per_client(client: Client, town: Municipality, settings: Any) -> None:
    settings.FAQ_RATE_LIMITS = ((3, 60),)
    for _ in range(3):
        assert client.post(_url(town, "ask_json"), {"q": "住民票"}).status_code == 200
    refused = client.post(_url(town, "ask_json"), {"q": "住民票"})
    assert refused.status_code == 429
    assert "しばらく待って" in refused.json()["error"]
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert other.post(_url(town, "ask_json"), {"q": "住民票"}).status_code == 200


def test_questions_cannot_inject_html(client: Client, town: Municipality) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    body = client.post(_url(town, "chat"), {"q": attack}).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body
    html = client.post(_url(town, "ask_json"), {"q": attack}).json()["html"]
    assert "<script>alert" not in html


def test_logged_question_is_masked(client: Client, town: Municipality) -> None:
    client.post(_url(town, "ask_json"), {"q": "住民票の件で090-1234-5678に電話ください"})
    log = FaqQueryLog.objects.get()
    assert "5678" not in log.query and "［電話番号］" in log.query


def test_unknown_or_inactive_municipality_is_404(client: Client, town: Municipality) -> None:
    assert client.get("/999999/faq/").status_code == 404
    Municipality.objects.filter(pk=town.pk).update(is_active=False)
    from madoguchi.tenancy.access import forget_municipality

    forget_municipality(town.code)
    assert client.get(_url(town, "chat")).status_code == 404
