"""Issue 11, "What it must show": the residents' journeys in a real browser at phone size, with
and without JavaScript, in Japanese and English, axe-core clean on every page.

One browser context per case; the journeys: booking from the home page and a procedure page,
search in everyday words (and the offer when nothing matches), the check page of a repeating
group, the status page leading to a pending 補正, the product's own 404, the trust pages; and
the booking itself: a procedure's 来庁予約 button, the slot picker (dates, then times), the booking
form, the confirmation page, the manage page, moving (with its confirmation step) and cancelling
(with its confirmation step), each saying what happened.
Set MADOGUCHI_SHOTS=/some/dir to keep a screenshot of each page looked at.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import workflow
from madoguchi.applications.tests.factories import (
    ApplicationFactory,
    FormVersionFactory,
    ProcedureFactory,
)
from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.reservations.tests.factories import hall
from madoguchi.tenancy.models import TrustPage
from madoguchi.tenancy.tests.factories import MunicipalityFactory
from madoguchi.tests.test_resident_language_walk import KANA, ShownText

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


# The booking journey's words, in the reader's language.
BOOKING_TEXT = {
    "ja": {
        "book": "来庁予約",
        "dates": "日にちを選ぶ",
        "confirm_booking": "この内容で予約する",
        "booked": "予約を受け付けました",
        "manage": "予約の確認・変更・取消し",
        "booking": "予約の内容",
        "change": "日時を変更する",
        "change_title": "新しい日時を選ぶ",
        "move_title": "この日時に変更しますか",
        "move": "この日時に変更する",
        "moved": "予約の日時を変更しました。",
        "moved_mail": "変更のお知らせをメールで送りました。",
        "cancel": "予約を取り消す",
        "cancel_title": "予約を取り消しますか",
        "cancelled": "予約を取り消しました。",
        "cancelled_mail": "取消しのお知らせをメールで送りました。",
        "is_cancelled": "この予約は取り消されています。",
    },
    "en": {
        "book": "Book a visit to the office",
        "dates": "Choose a day",
        "confirm_booking": "Confirm booking",
        "booked": "Booking confirmed",
        "manage": "View, change or cancel a booking",
        "booking": "Your booking",
        "change": "Change the date and time",
        "change_title": "Choose a new date and time",
        "move_title": "Move your booking to this time?",
        "move": "Move to this time",
        "moved": "Your booking has been moved.",
        "moved_mail": "We have sent you an e-mail about the change.",
        "cancel": "Cancel your booking",
        "cancel_title": "Cancel this booking?",
        "cancelled": "Your booking has been cancelled.",
        "cancelled_mail": "We have sent you an e-mail about the cancellation.",
        "is_cancelled": "This booking has been cancelled.",
    },
}


@pytest.fixture
def booking_town() -> tuple[Any, Any]:
    """A town open on weekdays, one booking service with a procedure, every text in English."""
    municipality: Any = MunicipalityFactory(
        name_en="Test City",
        phone="0559-00-1234",
        address="静岡県テスト市本町1-1 市役所1階",
        address_en="City Hall 1F, 1-1 Honcho, Test City, Shizuoka",
        department="くらし窓口課",
        department_en="Citizens Division",
    )
    municipality, service, _windows = hall(windows=2, municipality=municipality)
    service.name = "証明書のお渡し"
    service.description = "住民票や印鑑登録証明書をお渡しします。"
    service.description_en = "Residence and seal registration certificates."
    service.save()
    procedure = ProcedureFactory(
        municipality=municipality,
        slug="seal-registration",
        name="印鑑の登録",
        name_en="Seal registration",
        summary="印鑑を登録します。",
        summary_en="Register your personal seal.",
        booking=True,
        online=False,
    )
    service.procedures.add(procedure)
    return municipality, procedure


# Kana, and Japanese punctuation (、。「」 and the full-width ：（）) in a text of ours.
JAPANESE = re.compile(KANA.pattern[:-1] + r"\u3000-\u303f\uff08\uff09\uff1a]")


def _no_japanese_of_ours(page: Any, language: str) -> None:
    """On an English page, no kana or Japanese punctuation outside elements marked lang="ja"
    (every text of this town has its English; the resident's own name has no kana)."""
    if language == "ja":
        return
    parser = ShownText()
    parser.feed(page.content())
    found = [part.strip() for part in parser.parts if JAPANESE.search(part)]
    assert not found, found


@pytest.mark.parametrize(("language", "javascript"), CASES)
def test_booking_journeys(
    phone: Any, axe: Any, booking_town: Any, language: str, javascript: bool
) -> None:
    municipality, procedure = booking_town
    text = BOOKING_TEXT[language]
    suffix = language if javascript else f"{language}-nojs"
    page = phone(language, javascript)
    home = f"{page.base_url}/{municipality.code}/"
    page.goto(f"{home}procedures/{procedure.slug}/")
    _choose_language(page, language)

    def looked_at(name: str) -> None:
        axe(page)
        _no_japanese_of_ours(page, language)
        _shot(page, f"{name}-{suffix}")

    # The procedure's 来庁予約 button leads to its service's slot picker: dates first.
    _click(page, page.locator(f"main a.mg-button:has-text('{text['book']}')"))
    page.wait_for_url(re.compile(r"/reserve/services/\d+/$"))
    expect(page.locator("#picker-title")).to_have_text(text["dates"])
    expect(page.locator("a.rs-slot")).to_have_count(0)
    dates = page.locator("a.rs-date")
    expect(dates.first).to_be_visible()
    looked_at("booking-dates")
    # Then the chosen day's times.
    _click(page, dates.first)
    page.wait_for_url(re.compile(r"\?day=\d{4}-\d{2}-\d{2}$"))
    slots = page.locator("a.rs-slot")
    expect(slots.first).to_be_visible()
    looked_at("booking-times")
    _click(page, slots.first)
    page.wait_for_url(re.compile(r"/book/\?start="))
    page.fill("[name='name']", "山田花子")
    page.fill("[name='phone']", "090-1234-5678")
    page.fill("[name='email']", "hanako@example.jp")
    looked_at("booking-form")
    _click(page, page.get_by_role("button", name=text["confirm_booking"]))
    page.wait_for_url(re.compile(r"/reserve/done/$"))
    expect(page.locator("h1")).to_have_text(text["booked"])
    expect(page.locator("#booking-code")).to_be_visible()
    booked_at = page.locator("#booking-start").inner_text()
    looked_at("booking-done")

    # The manage link: the booking, with change and cancel.
    _click(page, page.get_by_role("link", name=text["manage"], exact=True))
    page.wait_for_url(re.compile(r"/reserve/bookings/[^/]+/$"))
    manage_url = page.url
    expect(page.locator("h1")).to_have_text(text["booking"])
    looked_at("booking-manage")

    # Moving: a date, a time, then a confirmation step before anything changes.
    _click(page, page.get_by_role("link", name=text["change"], exact=True))
    expect(page.locator("h1")).to_have_text(text["change_title"])
    looked_at("booking-move-dates")
    _click(page, page.locator("a.rs-date").nth(1))  # another day than the booked one
    page.wait_for_url(re.compile(r"\?day=\d{4}-\d{2}-\d{2}$"))
    expect(page.locator("a.rs-slot").first).to_be_visible()
    looked_at("booking-move-times")
    _click(page, page.locator("a.rs-slot").first)
    expect(page.locator("h1")).to_have_text(text["move_title"])
    new_start = page.locator("#new-start").inner_text()
    assert new_start != booked_at
    looked_at("booking-move-confirm")
    _click(page, page.get_by_role("button", name=text["move"]))
    assert page.url == manage_url
    notices = page.locator("main .mg-notice[role='status']")
    expect(notices.first).to_have_text(text["moved"])
    expect(notices.nth(1)).to_have_text(text["moved_mail"])
    expect(page.locator("#booking-start")).to_have_text(new_start)
    looked_at("booking-moved")

    # Cancelling: a confirmation step, then what happened.
    _click(page, page.get_by_role("link", name=text["cancel"], exact=True))
    expect(page.locator("h1")).to_have_text(text["cancel_title"])
    looked_at("booking-cancel-confirm")
    _click(page, page.get_by_role("button", name=text["cancel"]))
    assert page.url == manage_url
    notices = page.locator("main .mg-notice[role='status']")
    expect(notices.first).to_have_text(text["cancelled"])
    expect(notices.nth(1)).to_have_text(text["cancelled_mail"])
    expect(page.locator("#booking-status")).to_have_text(text["is_cancelled"])
    expect(page.get_by_role("link", name=text["change"], exact=True)).to_have_count(0)
    looked_at("booking-cancelled")
