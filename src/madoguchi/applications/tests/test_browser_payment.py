"""A resident sees the fee before applying and pays by test card on a phone; the back office
sees the payment. axe-core on every page. Screenshots: docs/screenshots/fee-check-ja.png and
payment-backoffice-ja.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory
from madoguchi.applications.models import Payment
from madoguchi.applications.tests.factories import FormVersionFactory

from .test_payments import DEFINITION

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("madoguchi.applications.tests.urls"),
]

SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_resident_pays_by_test_card_on_a_phone_and_staff_see_it(phone, browser, axe_check):
    version = FormVersionFactory(definition=DEFINITION, procedure__name="住民票の写しの請求")
    procedure = version.procedure
    code = procedure.municipality.code
    page = phone("ja")
    page.goto(f"{page.base_url}/{code}/procedures/{procedure.slug}/")
    page.locator("form[action$='/apply/'] button[type='submit']").first.click()
    page.fill("[name='copies']", "2")
    page.check("input[name='purpose'][value='other']")
    axe_check(page)
    page.click("button[value='next']:visible")
    page.wait_for_url(re.compile(r"/check/$"))
    assert page.locator("#fee-total").inner_text() == "600円"
    axe_check(page)
    _shot(page, "fee-check-ja.png")
    page.click("button:has-text('申請する')")
    page.wait_for_url(re.compile(r"/complete/$"))
    assert page.locator("#payment-status").inner_text() == "未払い"
    axe_check(page)
    page.click("button:has-text('クレジットカード（テスト）で支払う')")
    page.wait_for_url(re.compile(r"/pay/card/"))
    axe_check(page)
    page.fill("#id_card_number", "4000 0000 0000 0002")
    page.click("button:has-text('600円を支払う')")
    assert "このカードは使えませんでした" in page.locator("#card-error").inner_text()
    assert page.locator("#id_card_number").input_value() == ""  # never put back
    axe_check(page)
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.fill("#id_card_expiry", "12/30")
    page.fill("#id_card_cvc", "123")
    page.click("button:has-text('600円を支払う')")
    page.wait_for_url(re.compile(r"/pay/done/$"))
    assert page.locator("#payment-status").inner_text() == "支払済み"
    axe_check(page)
    payment = Payment.objects.get()
    assert (payment.status, payment.amount) == ("paid", 600)

    StaffUserFactory(municipality=procedure.municipality, manager=True, username="kacho")
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    try:
        staff = context.new_page()
        staff.goto(f"{page.base_url}/staff/login/?next=/staff/applications/")
        staff.fill("#id_username", "kacho")
        staff.fill("#id_password", PASSWORD)
        staff.click("button:has-text('ログイン')")
        staff.wait_for_url(re.compile(r"/staff/applications/$"))
        assert staff.locator("[data-payment='paid']").count() == 1
        axe_check(staff)
        staff.click(f"text={payment.application.receipt_number}")
        assert "支払済み" in staff.locator("#payment-state").inner_text()
        assert "支払を受けました" in staff.locator("#payment-history").inner_text()
        axe_check(staff)
        _shot(staff, "payment-backoffice-ja.png")
    finally:
        context.close()
