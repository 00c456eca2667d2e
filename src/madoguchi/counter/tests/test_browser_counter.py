"""The counter journey in a real browser: scan → edit → verify → the resident confirms on a
tablet → the application in the back office; then the interview style with the card hand-off.
Staff pages at desktop size, the confirmation at tablet size; axe-core on every page.

Screenshots go to MADOGUCHI_SHOTS when set (docs/screenshots/counter-*.png).
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from madoguchi.accounts.tests.factories import PASSWORD, StaffUserFactory
from madoguchi.applications.models import Application, Channel
from madoguchi.applications.tests.factories import back_office_user
from madoguchi.counter import services
from madoguchi.counter.models import CounterCase
from madoguchi.counter.tests.counter_forms import PREFILLED, counter_form_version
from madoguchi.counter.tests.factories import PreInputSettingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("MADOGUCHI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _signed_in(browser: Any, live_server: Any, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="ja-JP", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('ログイン')")
    page.wait_for_load_state()
    return page


def test_scan_edit_verify_confirm_and_the_back_office_sees_it(browser, live_server, axe_check):
    version = counter_form_version(procedure__name="児童手当の認定請求")
    town = version.procedure.municipality
    PreInputSettingFactory(municipality=town)
    StaffUserFactory(municipality=town, counter=True, username="clerk")
    issued = services.preinput_issue(
        procedure=version.procedure, form_version=version, answers=PREFILLED
    )
    page = _signed_in(browser, live_server, "clerk", DESKTOP)
    page.goto(f"{live_server.url}/staff/counter/")
    axe_check(page)
    _shot(page, "counter-desk")
    # The USB scanner types the code and presses Enter.
    page.fill("#id_code", issued.qr_texts[0])
    page.press("#id_code", "Enter")
    page.wait_for_url("**/staff/counter/cases/*/")
    assert page.input_value("[name='name__family']") == "雲母坂"
    assert page.input_value("[name='address__street']") == "霞が関1-2-3"
    axe_check(page)
    _shot(page, "counter-edit")
    page.fill("[name='address__street']", "霞が関2-1-1")
    page.click("button[value='complete']")
    # Nothing said about the identity document: the page says what is missing.
    assert "本人確認に使った書類を選んでください" in page.inner_text("main")
    axe_check(page)
    page.check("#id_document_driver_licence")
    page.check("#id_verified_name")
    page.check("#id_verified_address")
    page.click("button[value='complete']")
    page.wait_for_url("**/confirm/")
    case_url = page.url

    # The resident confirms on a tablet turned towards them.
    tablet = page.context.new_page()
    tablet.set_viewport_size(TABLET)
    tablet.goto(case_url)
    assert "霞が関2-1-1" in tablet.inner_text("main")
    axe_check(tablet)
    _shot(tablet, "counter-confirm-tablet")
    tablet.click("button:has-text('この内容で申請する')")
    tablet.wait_for_url("**/done/")
    axe_check(tablet)
    _shot(tablet, "counter-done")
    receipt = tablet.inner_text("#receipt-number")
    pdf = tablet.request.get(f"{live_server.url}{tablet.get_attribute('#print-link', 'href')}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    application = Application.objects.get(receipt_number=receipt)
    assert application.channel == Channel.COUNTER
    assert application.answers["address"]["street"] == "霞が関2-1-1"

    # The same back office as every channel.
    back_office_user(version.procedure, username="office")
    office = _signed_in(browser, live_server, "office", DESKTOP)
    office.goto(f"{live_server.url}/staff/applications/{application.pk}/")
    body = office.inner_text("main")
    assert receipt in body and "窓口" in body and "運転免許証" in body
    axe_check(office)


def test_interview_with_the_card_agent_and_the_postal_look_up(browser, live_server, axe_check):
    version = counter_form_version(procedure__name="児童手当の認定請求")
    town = version.procedure.municipality
    station, token = services.counter_station_issue(municipality=town, name="3番窓口")
    StaffUserFactory(municipality=town, counter=True, username="clerk")
    page = _signed_in(browser, live_server, "clerk", DESKTOP)
    page.goto(f"{live_server.url}/staff/counter/")
    page.select_option("#id_station", str(station.pk))
    page.click("button:has-text('端末を設定する')")
    page.select_option("#id_procedure", version.procedure.slug)
    page.click("button:has-text('入力を始める')")
    page.wait_for_url("**/staff/counter/cases/*/")
    # The card agent on this counter's PC posts what it read (as `madoguchi card-agent
    # --server … --counter-token …` does).
    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{live_server.url}/api/v1/counter/card-reads",
        data=json.dumps(
            {
                "attributes": {
                    "name": "髙橋　𠮷子",
                    "address": "東京都千代田区霞が関１丁目２番３号",
                    "birth_date": "1955-12-31",
                    "sex": "2",
                }
            },
            ensure_ascii=False,
        ).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 204
    page.click("#card-button")
    assert "カードから3項目を読み込みました" in page.inner_text("main")
    assert page.input_value("[name='name__family']") == "髙橋"
    assert page.input_value("[name='name__given']") == "𠮷子"
    page.fill("[name='postal_code']", "1000013")
    page.click("button[value='postal:postal_code']")
    assert page.input_value("[name='address__city']") == "千代田区"
    axe_check(page)
    _shot(page, "counter-interview-card")
    page.fill("[name='address__street']", "霞が関1-2-3")
    page.fill("[name='bank_name']", "窓口信用金庫")
    page.check("#id_verified_name")
    page.click("button[value='complete']")
    page.wait_for_url("**/confirm/")
    page.click("button:has-text('この内容で申請する')")
    page.wait_for_url("**/done/")
    case = CounterCase.objects.get()
    assert case.identity_document == "my_number_card" and case.application is not None
    assert case.application.applicant_name.startswith("髙橋")
