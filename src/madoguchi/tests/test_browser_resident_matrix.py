"""Issue 11, "What it must show": the residents' journeys in a real browser at phone size, with
and without JavaScript, in Japanese and English, axe-core clean on every page.

One browser context per case; the journeys: booking from the home page and a procedure page,
search in everyday words (and the offer when nothing matches), the check page of a repeating
group, the status page leading to a pending 補正, the product's own 404, the trust pages.
Set MADOGUCHI_SHOTS=/some/dir to keep a screenshot of each page looked at.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import workflow
from madoguchi.applications.tests.factories import ApplicationFactory, FormVersionFactory
from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.tenancy.models import TrustPage
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASES = [
    pytest.param("ja", True, id="ja-js"),
    pytest.param("ja", False, id="ja-nojs"),
    pytest.param("en", True, id="en-js"),
    pytest.param("en", False, id="en-nojs"),
]

GROUP_DEFINITION = {
    "title": "児童の届出",
    "title_en": "Children's notification",
    "steps": [
        {
            "key": "applicant",
            "title": "申請者",
            "title_en": "Applicant",
            "fields": [
                {
                    "key": "email",
                    "type": "email",
                    "label": "メールアドレス",
                    "label_en": "E-mail address",
                    "required": True,
                }
            ],
        },
        {
            "key": "children",
            "title": "お子さん",
            "title_en": "Children",
            "fields": [
                {
                    "key": "children",
                    "type": "group",
                    "label": "対象のお子さん",
                    "label_en": "Children concerned",
                    "item_label": "{n}人目のお子さん",
                    "item_label_en": "Child {n}",
                    "max_items": 5,
                    "fields": [
                        {
                            "key": "name",
                            "type": "text",
                            "label": "お名前",
                            "label_en": "Name",
                            "required": True,
                        },
                        {
                            "key": "birth_date",
                            "type": "date",
                            "label": "生年月日",
                            "label_en": "Date of birth",
                            "required": True,
                            "max": "today",
                        },
                    ],
                }
            ],
        },
    ],
}

# What each page says, in the reader's language.
TEXT = {
    "ja": {
        "book": "来庁予約",
        "find": "予約の確認・変更",
        "find_title": "予約の確認・変更・取消し",
        "search": "探す",
        "no_hit": "該当する手続が見つかりませんでした",
        "status": "状況を確認する",
        "correct": "補正する",
        "not_found": "ページが見つかりません",
        "privacy": "個人情報の取扱い",
        "terms": "利用規約",
        "accessibility": "ウェブアクセシビリティ方針",
        "ja_only": "このページは日本語のみです。",
    },
    "en": {
        "book": "Book a visit to the office",
        "find": "Check or change a booking",
        "find_title": "View, change or cancel a booking",
        "search": "Search",
        "no_hit": "No procedure matched your search.",
        "status": "Check status",
        "correct": "Make the correction",
        "not_found": "Page not found",
        "privacy": "Privacy notice",
        "terms": "Terms of use",
        "accessibility": "Accessibility statement",
        "ja_only": "This page is in Japanese only.",
    },
}


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("MADOGUCHI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _click(page: Any, selector: Any) -> None:
    with page.expect_navigation():
        if isinstance(selector, str):
            page.click(selector)
        else:
            selector.click()


@pytest.fixture
def town() -> Any:
    municipality: Any = MunicipalityFactory(phone="0559-00-1234", email="madoguchi@example.jp")
    library_install(municipality=municipality, publish=True)
    life_events_install(municipality=municipality)
    today = timezone.localdate()
    TrustPage.objects.create(
        municipality=municipality,
        kind="privacy",
        body="個人情報は手続のためだけに使います。\n\n第三者には提供しません。",
        body_en="We use personal information only for the procedure.",
        updated_on=today,
    )
    TrustPage.objects.create(
        municipality=municipality,
        kind="terms",
        body="このサイトの利用規約です。",
        updated_on=today,
    )
    return municipality


@pytest.fixture
def group_form(town: Any) -> Any:
    return FormVersionFactory(
        procedure__municipality=town,
        procedure__name="児童の届出",
        procedure__slug="children-notification",
        definition=GROUP_DEFINITION,
    )


@pytest.fixture
def pending_correction(town: Any, language: str) -> Any:
    application: Any = ApplicationFactory(
        in_review=True,
        language=language,  # the resident applied in the language of this case
        receipt_number="20250401-123456",
        form_version__procedure__municipality=town,
    )
    manager: Any = StaffUserFactory(municipality=town, manager=True)
    return workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=1,
        field_keys=["email"],
        message="メールアドレスに誤りがあるようです。",
        deadline=timezone.localdate() + timedelta(days=7),
    ).application


def _choose_language(page: Any, language: str) -> None:
    if language == "ja":
        assert page.locator("html").get_attribute("lang") == "ja"
        return
    page.click(".mg-lang--menu > summary")  # the language menu (a disclosure)
    _click(page, "button:has-text('English')")
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize(("language", "javascript"), CASES)
def test_resident_journeys(
    phone: Any,
    axe: Any,
    town: Any,
    group_form: Any,
    pending_correction: Any,
    language: str,
    javascript: bool,
) -> None:
    text = TEXT[language]
    suffix = language if javascript else f"{language}-nojs"
    page = phone(language, javascript)
    home = f"{page.base_url}/{town.code}/"
    page.goto(home)
    _choose_language(page, language)

    # 1. Booking: from the home page, and from a procedure whose channels include booking.
    axe(page)
    _shot(page, f"home-{suffix}")
    _click(page, page.get_by_role("link", name=text["book"], exact=True).first)
    assert page.url == f"{home}reserve/"
    expect(page.locator("h1")).to_have_text(text["book"])
    axe(page)
    page.goto(home)
    _click(page, page.get_by_role("link", name=text["find"], exact=True))
    expect(page.locator("h1")).to_have_text(text["find_title"])
    expect(page.locator("main form")).to_have_count(1)
    axe(page)
    page.goto(f"{home}procedures/pregnancy-notification/")
    booking = page.locator(f"main a.mg-button:has-text('{text['book']}')")
    expect(booking).to_have_attribute(
        "href", f"/{town.code}/reserve/?procedure=pregnancy-notification"
    )
    axe(page)
    _click(page, booking)
    expect(page.locator("h1")).to_have_text(text["book"])

    # 2. Search in everyday words; nothing found offers the FAQ and the desk.
    page.goto(home)
    page.fill("#q", "子どもが生まれた")
    _click(page, f"button:has-text('{text['search']}')")
    titles = page.locator(".mg-card__title").all_inner_texts()
    expected = "児童手当" if language == "ja" else "Child Allowance"
    assert any(expected in t for t in titles[:3]), titles[:5]
    axe(page)
    _shot(page, f"search-hit-{suffix}")
    page.fill("#q", "ドローンを飛ばしたい")
    _click(page, f"button:has-text('{text['search']}')")
    notice = page.locator(".mg-notice").first
    expect(notice).to_contain_text(text["no_hit"])
    expect(notice).to_contain_text("0559-00-1234")
    expect(page.locator("main a[href*='/faq/']").first).to_be_attached()
    axe(page)
    _shot(page, f"search-no-hit-{suffix}")

    # 3. The check page of a repeating group: each item's answers, a change link per step.
    slug = group_form.procedure.slug
    page.goto(f"{home}procedures/{slug}/")
    _click(page, "form[action$='/apply/'] button.mg-button")
    page.fill("[name='email']", "hanako@example.jp")
    _click(page, "button[value='next']")
    assert page.url.endswith(f"/apply/{slug}/children/")
    for i, (name, born) in enumerate(
        [("山田一郎", "令和元年5月1日"), ("山田二郎", "令和3年6月15日")]
    ):
        if page.locator(f"[name='children__{i}__name']").count() == 0:
            _click(page, "button.mg-group__add")
        page.fill(f"[name='children__{i}__name']", name)
        page.fill(f"[name='children__{i}__birth_date']", born)
    axe(page)
    _click(page, "button[value='next']")
    assert page.url.endswith(f"/apply/{slug}/check/"), page.url
    main = page.locator("main")
    expect(main).to_contain_text("山田一郎")
    expect(main).to_contain_text("山田二郎")
    # Each item under its own heading, in the reader's language.
    second = "2人目のお子さん" if language == "ja" else "Child 2"
    expect(main.get_by_text(second, exact=True)).to_have_count(1)
    expect(main).to_contain_text("hanako@example.jp")
    html = page.content()
    assert html.index("山田一郎") < html.index("山田二郎")
    for step in ("applicant", "children"):
        expect(page.locator(f"main a[href$='/apply/{slug}/{step}/?return=check']")).to_have_count(1)
    axe(page)
    _shot(page, f"check-group-{suffix}")

    # 4. The status page while a 補正 is pending leads to the correction.
    page.goto(f"{home}status/")
    page.fill("#id_receipt_number", pending_correction.receipt_number)
    page.fill("#id_access_code", "12345678")
    _click(page, f"main button:has-text('{text['status']}')")
    pending = page.locator("#correction-pending")
    expect(pending).to_contain_text("メールアドレスに誤りがあるようです。")
    # The history says it in the reader's words too (the clerk's message stays as written).
    history = "補正をお願いします" if language == "ja" else "Please correct"
    expect(page.locator("main table")).to_contain_text(history)
    axe(page)
    _shot(page, f"status-correction-{suffix}")
    _click(page, pending.locator("a.mg-button"))
    expect(page.locator("[name='email']")).to_be_attached()
    axe(page)

    # 5. A wrong address: the product's own page, in the reader's language, with a way back.
    response = page.goto(f"{home}no-such-page/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("h1")).to_have_text(text["not_found"])
    back = page.locator("main .mg-actions a.mg-button")
    expect(back).to_have_count(1)
    axe(page)
    _shot(page, f"not-found-{suffix}")
    _click(page, back)
    assert page.url.startswith(home)

    # 6. The trust pages from the footer.
    page.goto(home)
    for kind in ("privacy", "terms", "accessibility"):
        footer = page.locator(".mg-footer__links")
        _click(page, footer.get_by_role("link", name=text[kind], exact=True))
        expect(page.locator("h1")).to_have_text(text[kind])
        main = page.locator("main")
        if kind == "privacy":
            expect(main).to_contain_text(
                "手続のためだけに" if language == "ja" else "only for the procedure"
            )
        elif kind == "terms":
            expect(main).to_contain_text("このサイトの利用規約です。")
            if language == "en":
                expect(main).to_contain_text(text["ja_only"])
        else:  # not written yet: the page says whom to ask
            expect(main).to_contain_text(town.name if language == "ja" else town.display_name)
        axe(page)
        _shot(page, f"trust-{kind}-{suffix}")
