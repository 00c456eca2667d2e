"""Issue 11 (4, 5) in a real browser at phone size, in Japanese and English, with and without
JavaScript, axe-core clean: saving a step with errors and resuming it elsewhere; a file kept
when another answer of the same step fails.

Set MADOGUCHI_SHOTS=/some/dir to keep a screenshot of each page looked at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from madoguchi.applications.models import Application, Draft
from madoguchi.applications.tests.factories import FormVersionFactory, ProcedureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

DEFINITION = {
    "title": "犬の登録（テスト）",
    "title_en": "Dog registration (test)",
    "steps": [
        {
            "key": "owner",
            "title": "飼い主",
            "title_en": "Owner",
            "fields": [
                {
                    "key": "name",
                    "type": "name",
                    "label": "氏名",
                    "label_en": "Full name",
                    "required": True,
                    "role": "applicant_name",
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
        },
        {
            "key": "dog",
            "title": "犬と書類",
            "title_en": "Dog and documents",
            "fields": [
                {
                    "key": "dog_name",
                    "type": "text",
                    "label": "犬の名前",
                    "label_en": "Dog's name",
                    "required": True,
                },
                {
                    "key": "certificate",
                    "type": "file",
                    "label": "狂犬病予防注射済証",
                    "label_en": "Rabies vaccination certificate",
                    "required": True,
                    "accept": ["pdf", "jpeg", "png"],
                },
            ],
        },
    ],
}

CASES = [
    pytest.param("ja", True, id="ja-js"),
    pytest.param("ja", False, id="ja-nojs"),
    pytest.param("en", True, id="en-js"),
    pytest.param("en", False, id="en-nojs"),
]


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("MADOGUCHI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def procedure() -> Any:
    procedure = ProcedureFactory(name="犬の登録", slug="dog")
    FormVersionFactory(procedure=procedure, definition=DEFINITION)
    return procedure


def _start(page: Any, procedure: Any) -> None:
    page.goto(f"{page.base_url}/{procedure.municipality.code}/procedures/{procedure.slug}/")
    with page.expect_navigation():
        page.click("form[action$='/apply/'] button.mg-button")


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _suffix(language: str, javascript: bool) -> str:
    return language if javascript else f"{language}-nojs"


@pytest.mark.parametrize(("language", "javascript"), CASES)
def test_save_with_errors_then_resume_elsewhere(
    phone: Any, axe: Any, procedure: Any, language: str, javascript: bool
) -> None:
    page = phone(language, javascript)
    _start(page, procedure)
    page.fill("[name='name__family']", "山田")
    page.fill("[name='birth_date']", "平成31年5月1日")  # no such date: fixed later
    _click(page, "button[value='save']")

    # Saved as typed; the page says until when the link works, in the reader's format.
    draft = Draft.objects.get()
    assert draft.answers["birth_date"] == "平成31年5月1日"
    with translation.override(language):
        until = formats.date_format(timezone.localtime(draft.expires_at), "DATETIME_FORMAT")
    expect(page.locator("#resume-expiry")).to_contain_text(until)
    expect(page.locator("#saved-unfinished")).to_be_visible()
    axe(page)
    _shot(page, f"resume-saved-{_suffix(language, javascript)}")
    link = page.locator("#resume-link").get_attribute("href")

    # Another browser (a phone picking up the mail): the step comes back with its errors.
    other = phone(language, javascript)
    other.goto(link)
    assert other.url.endswith(f"/apply/{procedure.slug}/owner/")
    expect(other.locator("#mg-error-summary")).to_be_visible()
    expect(other.locator("[name='name__family']")).to_have_value("山田")
    expect(other.locator("[name='birth_date']")).to_have_value("平成31年5月1日")
    assert other.locator("#id_birth_date[aria-invalid='true']").count() == 1
    assert other.locator("#id_name__given[aria-invalid='true']").count() == 1
    axe(other)
    _shot(other, f"resume-errors-{_suffix(language, javascript)}")

    other.fill("[name='name__given']", "花子")
    other.fill("[name='name__family_kana']", "ヤマダ")
    other.fill("[name='name__given_kana']", "ハナコ")
    other.fill("[name='birth_date']", "令和元年5月1日")
    _click(other, "button[value='next']")
    assert other.url.endswith(f"/apply/{procedure.slug}/dog/")
    # The link on the first phone still works too.
    page.goto(link)
    assert page.url.endswith(f"/apply/{procedure.slug}/dog/")
    other.context.close()
    page.context.close()


@pytest.mark.parametrize(("language", "javascript"), CASES)
def test_upload_is_kept_when_another_answer_fails(
    phone: Any,
    axe: Any,
    procedure: Any,
    language: str,
    javascript: bool,
    tmp_path: Path,
) -> None:
    page = phone(language, javascript)
    _start(page, procedure)
    page.fill("[name='name__family']", "山田")
    page.fill("[name='name__given']", "花子")
    page.fill("[name='name__family_kana']", "ヤマダ")
    page.fill("[name='name__given_kana']", "ハナコ")
    page.fill("[name='birth_date']", "昭和50年4月1日")
    _click(page, "button[value='next']")

    certificate = tmp_path / "注射済証.pdf"
    certificate.write_bytes(PDF)
    page.set_input_files("[name='certificate']", str(certificate))
    _click(page, "button[value='next']")  # the dog's name is missing

    expect(page.locator("#mg-error-summary")).to_be_visible()
    attached = page.locator("#id_certificate-attached")
    expect(attached).to_contain_text("注射済証.pdf")
    expect(attached).to_contain_text(str(len(PDF)))
    expect(page.locator("#id_certificate__clear")).to_be_visible()
    axe(page)
    _shot(page, f"upload-kept-{_suffix(language, javascript)}")

    # Not chosen again: the kept file goes with the application.
    page.fill("[name='dog_name']", "ポチ")
    _click(page, "button[value='next']")
    expect(page.locator("main")).to_contain_text("注射済証.pdf")
    axe(page)
    _click(page, "main form button[type='submit']")
    expect(page.locator("#receipt-number")).to_be_visible()
    application = Application.objects.get()
    assert [a.original_name for a in application.attachments.all()] == ["注射済証.pdf"]
    page.context.close()


@pytest.mark.parametrize(("language", "javascript"), CASES)
def test_correction_upload_is_held_when_another_answer_fails(
    phone: Any,
    axe: Any,
    procedure: Any,
    language: str,
    javascript: bool,
    tmp_path: Path,
) -> None:
    """The 補正 form the same way: staff ask for a new certificate and the dog's name; the new
    file is held (staff do not see it) until the resident re-sends."""
    from datetime import timedelta

    from madoguchi.accounts.tests.factories import StaffUserFactory
    from madoguchi.applications import workflow
    from madoguchi.applications.services import (
        attachment_prepare_for_application,
        attachment_save,
    )
    from madoguchi.applications.tests.factories import STORED_ANSWERS, ApplicationFactory

    application = ApplicationFactory(
        in_review=True, form_version=procedure.form_versions.get(), answers={}
    )
    old = attachment_save(
        attachment_prepare_for_application(
            application=application,
            field_path="certificate",
            uploaded=SimpleUploadedFile("古い済証.pdf", PDF, "application/pdf"),
        )
    )
    application.answers = {
        "name": STORED_ANSWERS["name"],
        "birth_date": STORED_ANSWERS["birth_date"],
        "dog_name": "ポチ",
        "certificate": {
            "attachment": str(old.pk),
            "name": old.original_name,
            "size": old.size,
            "content_type": old.content_type,
        },
    }
    application.save(update_fields=["answers"])
    issued = workflow.correction_request(
        application=application,
        actor=StaffUserFactory(municipality=application.municipality, manager=True),
        expected_version=1,
        field_keys=["dog_name", "certificate"],
        message="済証が読み取れません。犬の名前も確かめてください。",
        deadline=timezone.localdate() + timedelta(days=7),
    )

    page = phone(language, javascript)
    page.goto(page.base_url + "/" + issued.url.split("://", 1)[1].split("/", 1)[1])
    expect(page.locator("#id_certificate-attached")).to_contain_text("古い済証.pdf")
    certificate = tmp_path / "新しい済証.pdf"
    certificate.write_bytes(PDF)
    page.set_input_files("[name='certificate']", str(certificate))
    page.fill("[name='dog_name']", "")  # the dog's name is missing
    _click(page, "button[value='submit']")

    expect(page.locator("#mg-error-summary")).to_be_visible()
    attached = page.locator("#id_certificate-attached")
    expect(attached).to_contain_text("新しい済証.pdf")
    expect(attached).to_contain_text(str(len(PDF)))
    expect(page.locator("#id_certificate__clear")).to_be_visible()
    axe(page)
    _shot(page, f"correction-upload-kept-{_suffix(language, javascript)}")
    # Held, not the application's: nothing changed for staff yet.
    application.refresh_from_db()
    assert application.answers["certificate"]["attachment"] == str(old.pk)
    assert [a.original_name for a in application.attachments.all()] == ["古い済証.pdf"]

    # Not chosen again: the held file goes with the corrected application.
    page.fill("[name='dog_name']", "ポチ")
    _click(page, "button[value='submit']")
    assert page.url.endswith("/correction/done/")
    axe(page)
    application.refresh_from_db()
    assert application.status == "in_review"
    assert application.answers["certificate"]["name"] == "新しい済証.pdf"
    names = sorted(a.original_name for a in application.attachments.all())
    assert names == ["古い済証.pdf", "新しい済証.pdf"]
    page.context.close()
