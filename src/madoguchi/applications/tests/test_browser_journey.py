"""A resident's whole journey in a real browser (Debian's chromium), axe-core on every page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from madoguchi.applications.models import Application
from madoguchi.applications.tests.factories import FormVersionFactory, ProcedureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

DEFINITION = {
    "title": "粗大ごみ収集の申込（テスト）",
    "steps": [
        {
            "key": "applicant",
            "title": "申込者",
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
                    "key": "postal_code",
                    "type": "postal_code",
                    "label": "郵便番号",
                    "required": True,
                    "fills": "address",
                },
                {
                    "key": "address",
                    "type": "address",
                    "label": "住所",
                    "required": True,
                    "role": "applicant_address",
                },
                {
                    "key": "email",
                    "type": "email",
                    "label": "メールアドレス",
                    "role": "applicant_email",
                },
            ],
        },
        {
            "key": "documents",
            "title": "写真の添付",
            "fields": [
                {
                    "key": "photo",
                    "type": "file",
                    "label": "出す品物の写真",
                    "required": True,
                    "accept": ["pdf", "jpeg", "png"],
                },
            ],
        },
    ],
}


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(
        name="粗大ごみ収集の申込", slug="bulky", summary="大きなごみの収集を申し込みます。"
    )
    FormVersionFactory(procedure=procedure, definition=DEFINITION)
    ProcedureFactory(municipality=procedure.municipality, name="犬の登録", slug="dog")
    return procedure


def test_resident_applies_online_and_checks_status(page, axe_check, procedure, tmp_path):
    code = procedure.municipality.code
    page.goto(f"{page.base_url}/{code}/")
    axe_check(page)

    # Search and choose the procedure.
    page.fill("#q", "粗大ごみ")
    page.click("button:has-text('探す')")
    assert page.locator("text=犬の登録").count() == 0
    page.click("text=粗大ごみ収集の申込")
    axe_check(page)
    page.click("button:has-text('オンラインで申請する')")

    # First try with nothing filled: errors are listed and tied to their fields.
    page.click("button[value='next']")
    expect(page.locator(".mg-error-summary")).to_be_visible()
    assert page.locator(".mg-error-summary li").count() == 4  # name, birth date, postal, address
    assert page.locator("#id_birth_date[aria-invalid='true']").count() == 1
    # Every empty part of a wrong name or address is marked too, not only the group.
    assert page.locator("#id_name__family[aria-invalid='true']").count() == 1
    axe_check(page)

    page.fill("[name='name__family']", "山田")
    page.fill("[name='name__given']", "花子")
    page.fill("[name='name__family_kana']", "やまだ")  # hiragana is converted
    page.fill("[name='name__given_kana']", "ハナコ")
    page.fill("[name='birth_date']", "昭和50年4月1日")
    page.fill("[name='postal_code']", "１００－０００１")  # full-width is fine
    page.click("button[value='postal:postal_code']")
    # expect() polls without eval(), which the strict CSP forbids (wait_for_function with a
    # string needs eval once the condition is not already true on the first check).
    expect(page.locator("[name='address__city']")).to_have_value(re.compile("千代田区"))
    page.fill("[name='address__street']", "千代田1-1")
    page.fill("[name='email']", "hanako@example.jp")
    axe_check(page)
    page.click("button[value='next']")

    # Attach a photo (a PDF here) and go on.
    pdf = tmp_path / "写真.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("[name='photo']", str(pdf))
    axe_check(page)
    page.click("button[value='next']")

    # Check the answers, then submit.
    expect(page.locator("h1", has_text="入力内容の確認")).to_be_visible()
    body = page.inner_text("main")
    assert "昭和50年4月1日" in body
    assert "ヤマダ" in body
    assert "千代田区" in body
    assert "写真.pdf" in body
    axe_check(page)
    page.click("button:has-text('申請する')")

    receipt = page.inner_text("#receipt-number").strip()
    access_code = page.inner_text("#access-code").strip()
    assert re.fullmatch(r"\d{8}-\d{6}", receipt)
    axe_check(page)
    application = Application.objects.get()
    assert application.receipt_number == receipt
    assert application.answers["birth_date"] == "1975-04-01"
    assert application.attachments.count() == 1

    page.click("text=申請の状況を確認する")
    axe_check(page)
    page.fill("#id_receipt_number", receipt)
    page.fill("#id_access_code", access_code)
    page.click("button:has-text('状況を確認する')")
    assert page.inner_text("#current-status") == "受付"
    axe_check(page)
    # The application form as PDF, for the browser that opened the status page.
    with page.expect_download() as download:
        page.click("#status-form-pdf")
    assert download.value.suggested_filename == f"{receipt}.pdf"
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and b"IPAexMincho" in pdf


def test_pages_in_english_pass_axe(page, axe_check, procedure):
    code = procedure.municipality.code
    page.goto(f"{page.base_url}/{code}/")
    page.click(".mg-lang--menu > summary")  # the language menu (a disclosure)
    with page.expect_navigation():
        page.click("button:has-text('English')")
    assert page.locator("html").get_attribute("lang") == "en"
    axe_check(page)
    page.goto(f"{page.base_url}/{code}/status/")
    axe_check(page)
