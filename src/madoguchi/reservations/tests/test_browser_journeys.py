"""Issue 11 journeys in a real browser at phone size, in Japanese and English, axe-core clean:
the booking entry points and the date-first slot picker (with and without JavaScript), the kiosk
after hours, the error pages and each role's staff home.

Set MADOGUCHI_SHOTS=/some/dir to keep a screenshot of each page looked at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory
from madoguchi.applications.tests.factories import (
    ApplicationFactory,
    ProcedureFactory,
    back_office_user,
)
from madoguchi.reservations.models import CalendarException, ReservationPolicy
from madoguchi.tenancy.demo_data import trust_pages_fill

from .factories import hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["ja", "en"]


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("MADOGUCHI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _phone(browser: Any, live_server: Any, language: str, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        locale="ja-JP" if language == "ja" else "en-US",
        viewport={"width": 390, "height": 844},
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    return page


def _town() -> tuple[Any, Any]:
    municipality, service, _ = hall(windows=2)
    municipality.name_en = "Test City"
    municipality.save()
    procedure = ProcedureFactory(
        municipality=municipality, name="印鑑登録", booking=True, online=False
    )
    service.procedures.add(procedure)
    trust_pages_fill(municipality=municipality)
    return municipality, procedure


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_booking_from_the_procedure_page_with_the_date_first_picker(
    browser: Any, live_server: Any, axe_check: Any, language: str, javascript: bool
) -> None:
    municipality, procedure = _town()
    page = _phone(browser, live_server, language, javascript=javascript)
    suffix = f"{language}{'' if javascript else '-nojs'}"
    if not javascript:
        # axe-core and page measurements run scripts: the JS run checks the same pages.
        def axe_check(page: Any) -> None:
            return None

    page.goto(f"{page.base_url}/{municipality.code}/")
    axe_check(page)
    _shot(page, f"home-{suffix}")
    booking = "来庁予約" if language == "ja" else "Book a visit to the office"
    expect(page.get_by_role("link", name=booking, exact=True).first).to_be_visible()
    page.goto(f"{page.base_url}/{municipality.code}/procedures/{procedure.slug}/")
    axe_check(page)
    _shot(page, f"procedure-{suffix}")
    page.get_by_role("link", name=booking, exact=True).click()
    page.wait_for_url(re.compile(r"/reserve/services/\d+/$"))
    axe_check(page)
    _shot(page, f"slot-picker-dates-{suffix}")
    # The date list fits a phone: two weeks of days, no wall of time buttons.
    assert page.locator("a.rs-slot").count() == 0
    assert page.locator("a.rs-date").count() >= 5
    if javascript:
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 3000, height
    page.locator("a.rs-date").first.click()
    page.wait_for_url(re.compile(r"\?day=\d{4}-\d{2}-\d{2}$"))
    axe_check(page)
    _shot(page, f"slot-picker-times-{suffix}")
    page.locator("a.rs-slot").first.click()
    page.wait_for_url(re.compile(r"/book/\?start="))
    axe_check(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_kiosk_after_hours(browser: Any, live_server: Any, axe_check: Any, language: str) -> None:
    municipality, _procedure = _town()
    CalendarException.objects.update_or_create(
        municipality=municipality,
        date=timezone.localdate(),
        defaults={"closed": True, "note": "臨時閉庁"},
    )
    key = ReservationPolicy.objects.get(municipality=municipality).kiosk_key
    page = _phone(browser, live_server, language)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{page.base_url}/{municipality.code}/reserve/kiosk/{key}/")
    axe_check(page)
    _shot(page, f"kiosk-after-hours-{language}")
    text = page.locator("main").inner_text()
    assert "ただいま受付時間外です" in text and "Reception is closed now" in text
    assert "次の受付開始" in text and "Opens " in text
    assert page.locator("button.rs-kiosk__service").count() == 0
    # Large enough for a standing person at arm's length.
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.rs-kiosk__next')).fontSize)"
    )
    assert size >= 28, size
    body = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert body >= 24, body
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, f"kiosk-after-hours-phone-{language}")
    page.goto(f"{page.base_url}/{municipality.code}/reserve/display/")
    axe_check(page)
    assert "受付終了" in page.locator("[data-services]").inner_text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages(browser: Any, live_server: Any, axe_check: Any, language: str) -> None:
    municipality, _procedure = _town()
    page = _phone(browser, live_server, language)
    response = page.goto(f"{page.base_url}/{municipality.code}/procedures/no-such-page/")
    assert response is not None and response.status == 404
    axe_check(page)
    _shot(page, f"error-404-{language}")
    title = "ページが見つかりません" if language == "ja" else "Page not found"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    back = "手続の一覧に戻る" if language == "ja" else "Back to the list of procedures"
    page.get_by_role("link", name=back).click()
    page.wait_for_url(re.compile(rf"/{municipality.code}/$"))
    # A form sent with a stale CSRF token: the product's page, not Django's.
    page.goto(f"{page.base_url}/{municipality.code}/reserve/find/")
    page.context.clear_cookies()
    page.locator("#id_code").fill("ABCD-EFGH")
    page.locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    axe_check(page)
    _shot(page, f"error-csrf-{language}")
    assert "CSRF" not in page.content()
    heading = "送信を受け付けられませんでした" if language == "ja" else "We could not accept"
    assert heading in page.locator("h1").inner_text()


def _sign_in(page: Any, user: Any) -> None:
    page.goto(f"{page.base_url}/staff/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/staff/$"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_role_lands_on_its_work(
    browser: Any, live_server: Any, axe_check: Any, language: str
) -> None:
    municipality, _procedure = _town()
    application = ApplicationFactory(procedure__municipality=municipality)
    users = {
        "counter": StaffUserFactory(municipality=municipality, counter=True),
        "back_office": back_office_user(application.procedure),
        "manager": StaffUserFactory(municipality=municipality, manager=True),
        "municipality_admin": StaffUserFactory(municipality=municipality, admin=True),
    }
    first_panel = {
        "counter": "counter",
        "back_office": "inbox",
        "manager": "figures",
        "municipality_admin": "hall",
    }
    for role, user in users.items():
        page = _phone(browser, live_server, language)
        _sign_in(page, user)
        axe_check(page)
        _shot(page, f"staff-home-{role}-{language}")
        assert page.locator("[data-panel]").first.get_attribute("data-panel") == first_panel[role]
        assert user.last_name in page.locator("header").inner_text()
        if role == "municipality_admin":
            page.goto(f"{page.base_url}/staff/reservations/settings/")
            axe_check(page)
            _shot(page, f"staff-settings-{language}")
            page.goto(f"{page.base_url}/staff/reservations/settings/hours/")
            axe_check(page)
        page.context.close()
