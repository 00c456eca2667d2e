"""One visit, several procedures in a real browser: the resident pre-fills three procedures on
a phone, typing the shared data once; the clerk scans the one QR code on a tablet-sized counter
screen, sees the related procedures with their reasons, ticks which to issue and works through
the forms. axe-core on every page.

Screenshots go to MADOGUCHI_SHOTS when set (docs/screenshots/visit-preinput-ja.png,
counter-visit-ja.png).
"""

from __future__ import annotations

import pytest

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.counter import services
from madoguchi.counter.models import CounterCase, CounterVisit, PreInputMode
from madoguchi.counter.preinput import qr
from madoguchi.counter.tests.test_browser_counter import TABLET, _shot, _signed_in
from madoguchi.counter.tests.test_visit import (
    APPLICANT,
    _event_of_two,
    _issue,
    _town,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_prefills_three_procedures_typing_the_shared_data_once(
    phone, live_server, axe_check
):
    town, versions = _event_of_two(PreInputMode.TOKEN)
    page = phone("ja")
    page.goto(f"{live_server.url}/{town.code}/life-events/moving/")
    page.click("text=窓口の手続をまとめて事前入力")
    page.wait_for_url("**/forms/visit/moving/")
    axe_check(page)
    page.click("button:has-text('入力を始める')")
    for n, _version in enumerate(versions):
        page.wait_for_url("**/apply/**")
        if n == 0:
            for name, value in APPLICANT.items():
                page.fill(f"[name='{name}']", value)
        else:
            assert page.input_value("[name='name__family']") == "雲母坂"
            assert "前の手続で入力した内容" in page.inner_text("main")
            axe_check(page)
        page.click("button[value='next']")
        page.wait_for_url("**/check/")
        page.click("main form button[type='submit']")
    page.wait_for_url("**/forms/visit/moving/qr/")
    body = page.inner_text("main")
    assert all(v.procedure.name in body for v in versions)
    axe_check(page)
    _shot(page, "visit-preinput-ja")
    png = page.request.get(f"{live_server.url}/{town.code}/forms/visit/moving/qr-1.png")
    assert qr.decode_image(png.body())[0].startswith(f"PV1.{town.code}.")


def test_counter_scans_a_visit_ticks_related_procedures_and_works_through_them(
    browser, live_server, axe_check
):
    town = _town(PreInputMode.TOKEN)
    issued = _issue(town)  # 転入: 児童手当 and 保育 pre-filled, a child of 3, national pension
    StaffUserFactory(municipality=town, counter=True, username="clerk")
    page = _signed_in(browser, live_server, "clerk", TABLET)
    page.goto(f"{live_server.url}/staff/counter/")
    page.fill("#id_code", issued.qr_texts[0])
    page.press("#id_code", "Enter")
    page.wait_for_url("**/staff/counter/visits/*/")
    body = page.inner_text("main")
    assert "児童手当 認定請求" in body and "保育施設等の利用申込" in body
    assert "国民健康保険 加入の届出" in body and "国民年金" in body
    axe_check(page)
    _shot(page, "counter-visit-ja")
    page.check("#id_procedure_nhi-enrolment")
    page.click("button:has-text('選んだ手続の申請書を作る')")
    page.wait_for_selector("#visit-cases")
    axe_check(page)
    visit = CounterVisit.objects.get()
    assert visit.status == CounterVisit.Status.ISSUED
    assert CounterCase.objects.filter(visit=visit).count() == 3
    page.click("#visit-cases a:has-text('国民健康保険 加入の届出')")
    page.wait_for_url("**/staff/counter/cases/*/")
    # Shared data the resident typed for the child allowance, in a form they never filled.
    assert page.input_value("[name='applicant_name__family']") == "雲母坂"
    assert page.input_value("[name='members__0__birth_date']") == "令和5年5月5日"
    axe_check(page)
    assert services.VISIT_TOKEN_PREFIX in issued.qr_texts[0]
