"""The pre-input journey on a phone (390×844) in a real browser, axe-core on every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from madoguchi.applications.tests.factories import FormVersionFactory, ProcedureFactory
from madoguchi.counter.models import PreInputMode
from madoguchi.counter.preinput import qr
from madoguchi.counter.tests.factories import PreInputSettingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/preinput")

DEFINITION = {
    "title": "転入に伴う届出（テスト）",
    "steps": [
        {
            "key": "applicant",
            "title": "届出をする方",
            "fields": [
                {
                    "key": "name",
                    "type": "name",
                    "label": "氏名",
                    "required": True,
                    "role": "applicant_name",
                },
                {
                    "key": "birth_date",
                    "type": "date",
                    "label": "生年月日",
                    "required": True,
                    "max": "today",
                },
                {
                    "key": "note",
                    "type": "long_text",
                    "label": "窓口への連絡事項",
                    "max_length": 2000,
                },
            ],
        }
    ],
}


@pytest.mark.parametrize("mode", [PreInputMode.TOKEN, PreInputMode.PAYLOAD])
def test_resident_pre_inputs_on_a_phone_and_gets_the_qr_codes(page, axe_check, mode):
    procedure = ProcedureFactory(
        name="転入届", slug="moving-in", online=False, counter_preinput=True, booking=True
    )
    FormVersionFactory(procedure=procedure, definition=DEFINITION)
    PreInputSettingFactory(municipality=procedure.municipality, mode=mode)
    SHOTS.mkdir(parents=True, exist_ok=True)
    code = procedure.municipality.code

    page.goto(f"{page.base_url}/{code}/procedures/moving-in/")
    axe_check(page)
    page.click("button:has-text('窓口用に事前入力する')")
    page.fill("[name='name__family']", "佐々木")
    page.fill("[name='name__given']", "美咲")
    page.fill("[name='name__family_kana']", "ササキ")
    page.fill("[name='name__given_kana']", "ミサキ")
    page.fill("[name='birth_date']", "平成元年11月3日")
    # In the payload mode a long note (varied kanji, which deflate cannot shrink much) makes
    # the answers need two codes.
    note = "子どもの保育園の申込も一緒に相談したいです。"
    if mode == "payload":
        note += "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(300))
    page.fill("[name='note']", note)
    assert page.locator("button:has-text('保存して中断する')").count() == 0
    axe_check(page)
    page.click("button[value='next']")

    assert "佐々木" in page.inner_text("main")
    axe_check(page)
    page.screenshot(path=str(SHOTS / f"check-{mode}.png"), full_page=True)
    page.click("button:has-text('窓口用のQRコードを作る')")

    page.locator("h1", has_text="窓口用のQRコードができました").wait_for()
    axe_check(page)
    page.screenshot(path=str(SHOTS / f"result-{mode}.png"), full_page=True)
    codes = page.locator("svg.qr").count()
    assert codes == (2 if mode == "payload" else 1)
    assert "有効期限" in page.inner_text("main")
    # The code as shown on the phone's screen is readable by the counter's decoder.
    shot = page.locator("svg.qr").first.screenshot()
    texts = qr.decode_image(shot)
    assert texts[0].startswith("PT1." if mode == "token" else "PI1.")
    with page.expect_download() as download:
        page.locator("a[download]").first.click()
    assert download.value.suggested_filename.endswith(".png")
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / f"print-{mode}.png"), full_page=True)
    expect(page.locator("header.mg-header")).to_be_hidden()
    page.emulate_media(media="screen")

    page.click("text=入力した内容を見る")
    axe_check(page)
    body = page.inner_text("main")
    assert ("佐々木" in body) == (mode == "token")
    page.click("text=QRコードの画面に戻る")
    page.click("button:has-text('事前入力を削除する')")
    assert "事前入力" in page.inner_text("main")
    axe_check(page)
