"""やさしい日本語 beyond the catalogue: a form step's description, and the note staff write with a
status change (e.g. how to collect a certificate on completion) — shown to the resident who
chose やさしい日本語 on the step page, the status page and in the mail; to everyone else the
ordinary text (English readers: the English one)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application
from madoguchi.applications.tests.factories import (
    DEFINITION,
    ApplicationFactory,
    FormVersionFactory,
)
from madoguchi.core.localized_text import EASY_JAPANESE_COOKIE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

DESCRIPTION = "申請者の氏名、生年月日及び連絡先を記入してください。"
DESCRIPTION_EN = "Enter your name, date of birth and contact details."
DESCRIPTION_EASY = "あなたの 名前、生まれた 日、メールアドレスを 書いて ください。"

NOTE = "証明書は市民課窓口にて交付いたします。本人確認書類を持参してください。"
NOTE_EASY = "証明書は 市役所の 窓口で わたします。本人と わかる カードを 持って きて ください。"


def _definition() -> dict[str, Any]:
    first = {
        **DEFINITION["steps"][0],
        "description": DESCRIPTION,
        "description_en": DESCRIPTION_EN,
        "description_easy": DESCRIPTION_EASY,
    }
    return {**DEFINITION, "steps": [first, *DEFINITION["steps"][1:]]}


def _reader(language: str, easy: bool) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if easy:
        client.cookies[EASY_JAPANESE_COOKIE] = "1"
    return client


@pytest.mark.parametrize(
    ("language", "easy", "shown"),
    [
        ("ja", False, DESCRIPTION),
        ("ja", True, DESCRIPTION_EASY),
        ("en", False, DESCRIPTION_EN),
        ("en", True, DESCRIPTION_EN),  # the choice is a reading mode of Japanese only
    ],
)
def test_the_step_page_shows_the_description_the_reader_chose(
    language: str, easy: bool, shown: str
) -> None:
    version = FormVersionFactory(definition=_definition())
    client = _reader(language, easy)
    code, slug = version.procedure.municipality.code, version.procedure.slug
    client.post(f"/{code}/procedures/{slug}/apply/")
    page = client.get(f"/{code}/apply/{slug}/applicant/").content.decode()
    assert shown in page
    others = {DESCRIPTION, DESCRIPTION_EN, DESCRIPTION_EASY} - {shown}
    assert not any(other in page for other in others)


def test_a_step_without_the_easy_text_shows_the_ordinary_one() -> None:
    version = FormVersionFactory(
        definition=DEFINITION
        | {
            "steps": [
                {**DEFINITION["steps"][0], "description": DESCRIPTION},
                *DEFINITION["steps"][1:],
            ]
        }
    )
    client = _reader("ja", True)
    code, slug = version.procedure.municipality.code, version.procedure.slug
    client.post(f"/{code}/procedures/{slug}/apply/")
    assert DESCRIPTION in client.get(f"/{code}/apply/{slug}/applicant/").content.decode()


def test_submitting_records_that_the_resident_reads_easy_japanese() -> None:
    from madoguchi.applications.tests.test_save_and_uploads import APPLICANT, _pdf

    for language, easy, recorded in (("ja", True, True), ("ja", False, False), ("en", True, False)):
        version = FormVersionFactory()
        client = _reader(language, easy)
        code, slug = version.procedure.municipality.code, version.procedure.slug
        client.post(f"/{code}/procedures/{slug}/apply/")
        base = f"/{code}/apply/{slug}"
        client.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
        client.post(f"{base}/documents/", {"id_document": _pdf(), "_action": "next"})
        assert client.post(f"{base}/check/").status_code == 302
        application = Application.objects.get(procedure=version.procedure)
        assert application.easy_japanese is recorded, (language, easy)


def _completed_with_notes(client: Client, application: Application) -> None:
    """A clerk completes the application over HTTP with both versions of the note."""
    clerk = StaffUserFactory(municipality=application.municipality, manager=True)
    client.force_login(clerk)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert 'name="reason_easy"' in detail
    response = client.post(
        f"/staff/applications/{application.pk}/transition/",
        {
            "version": application.version,
            "to_status": "completed",
            "reason": NOTE,
            "reason_easy": NOTE_EASY,
        },
    )
    assert response.status_code == 302
    client.logout()


def _status_page(client: Client, application: Application) -> str:
    return client.post(
        f"/{application.municipality.code}/status/",
        {"receipt_number": application.receipt_number, "access_code": "12345678"},
    ).content.decode()


@pytest.mark.parametrize("reads_easy", [True, False])
def test_the_staff_note_in_easy_japanese_reaches_the_resident_who_reads_it(
    reads_easy: bool, django_capture_on_commit_callbacks: Any
) -> None:
    application = ApplicationFactory(in_review=True, easy_japanese=reads_easy)
    with django_capture_on_commit_callbacks(execute=True):
        _completed_with_notes(Client(), application)
    # The mail: the version the resident read when applying.
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert (NOTE_EASY in body, NOTE in body) == (reads_easy, not reads_easy)
    # The status page: the version this reader chose now.
    easy_page = _status_page(_reader("ja", True), application)
    assert NOTE_EASY in easy_page and NOTE not in easy_page
    plain_page = _status_page(_reader("ja", False), application)
    assert NOTE in plain_page and NOTE_EASY not in plain_page
    english_page = _status_page(_reader("en", True), application)
    assert NOTE in english_page and NOTE_EASY not in english_page
    # Staff see both in the history.
    client = Client()
    client.force_login(StaffUserFactory(municipality=application.municipality, manager=True))
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert NOTE in detail and NOTE_EASY in detail
    assert ('id="reads-easy-japanese"' in detail) == reads_easy


def test_without_an_easy_note_the_resident_who_reads_easy_japanese_gets_the_note(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from madoguchi.applications import workflow

    application = ApplicationFactory(in_review=True, easy_japanese=True)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_transition(
            application=application,
            actor=StaffUserFactory(municipality=application.municipality, manager=True),
            to_status="completed",
            expected_version=application.version,
            reason=NOTE,
        )
    assert NOTE in mail.outbox[0].body
    assert NOTE in _status_page(_reader("ja", True), application)
