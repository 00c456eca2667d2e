"""The online journey through HTTP, without JavaScript (Django's test client)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.applications.models import Application, Attachment, Draft
from madoguchi.applications.tests.factories import FormVersionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def version():
    return FormVersionFactory()


def _urls(version):
    code = version.procedure.municipality.code
    slug = version.procedure.slug
    return code, slug, f"/{code}/apply/{slug}"


def _start(client, version):
    code, slug, base = _urls(version)
    response = client.post(f"/{code}/procedures/{slug}/apply/")
    assert response.status_code == 302
    assert response["Location"] == f"{base}/applicant/"
    return base


APPLICANT = {
    "name__family": "山田",
    "name__given": "太郎",
    "name__family_kana": "ﾔﾏﾀﾞ",  # half-width kana is accepted
    "name__given_kana": "たろう",  # hiragana is accepted
    "birth_date": "令和元年5月1日",
    "email": "taro@example.jp",
}


def test_whole_journey_with_attachment_and_status_page(client, version):
    base = _start(client, version)
    assert "氏名" in client.get(f"{base}/applicant/").content.decode()

    response = client.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"{base}/documents/"

    upload = SimpleUploadedFile("住民票.pdf", PDF, content_type="application/pdf")
    response = client.post(f"{base}/documents/", {"id_document": upload, "_action": "next"})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"{base}/check/"

    page = client.get(f"{base}/check/").content.decode()
    assert "令和元年5月1日" in page
    assert "ヤマダ" in page and "タロウ" in page
    assert "住民票.pdf" in page

    response = client.post(f"{base}/check/")
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.answers["birth_date"] == "2019-05-01"
    assert Attachment.objects.get().application == application
    # The draft is kept emptied, pointing at its application (the Back button finds it).
    draft = Draft.objects.get()
    assert draft.submitted_application == application
    assert draft.answers == {} and draft.attachments.count() == 0

    complete = client.get(response["Location"]).content.decode()
    assert application.receipt_number in complete
    access_code = re.search(r'id="access-code">(\d{8})<', complete).group(1)

    code = version.procedure.municipality.code
    status = client.post(
        f"/{code}/status/",
        {"receipt_number": application.receipt_number, "access_code": access_code},
    )
    assert status.status_code == 200
    text = status.content.decode()
    assert "受付" in text
    # The status page shows no personal data.
    assert "山田" not in text and "taro@example.jp" not in text


def test_errors_are_tied_to_fields_and_the_step_is_not_done(client, version):
    base = _start(client, version)
    bad = {**APPLICANT, "birth_date": "平成31年5月1日", "name__family_kana": "Yamada"}
    response = client.post(f"{base}/applicant/", {**bad, "_action": "next"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert "令和" in page  # the message says what to type instead
    assert "カタカナ" in page
    # What was typed is kept as typed (validated again later); the step is not done.
    draft = Draft.objects.get()
    assert draft.answers["birth_date"] == "平成31年5月1日"
    assert draft.completed_steps == []


def test_disguised_file_is_refused_with_a_message(client, version):
    base = _start(client, version)
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = client.post(f"{base}/documents/", {"id_document": fake, "_action": "next"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_save_and_resume_by_link_in_another_browser(
    client, version, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.test import Client

    base = _start(client, version)
    response = client.post(f"{base}/applicant/", {**APPLICANT, "_action": "save"})
    assert response.status_code == 302
    assert response["Location"] == f"{base}/saved/"
    page = client.get(f"{base}/saved/").content.decode()
    link = re.search(r'id="resume-link" href="([^"]+)"', page).group(1)
    # The session store keeps the link sealed: no usable token at rest.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(dict(client.session.items()))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/saved/", {"email": "taro@example.jp"})
    assert len(mail.outbox) == 1
    emailed = re.search(r"(http://\S+/resume/\S+/)", mail.outbox[0].body).group(1)

    # The mail carries the link on the screen: both keep working.
    assert emailed == link
    assert "まで続きを入力できます" in mail.outbox[0].body
    other = Client()
    path = emailed.replace("http://testserver", "")
    response = other.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{base}/documents/"
    assert Client().get(link.replace("http://testserver", "")).status_code == 302


def test_journey_without_a_draft_sends_the_resident_back(client, version):
    _code, slug, base = _urls(version)
    response = client.get(f"{base}/applicant/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/procedures/{slug}/")


def test_status_page_wrong_code_and_rate_limit(client, version):
    code = version.procedure.municipality.code
    for i in range(20):  # different 受付番号: the per-client limit (per number: test_abuse)
        response = client.post(
            f"/{code}/status/", {"receipt_number": f"20260101-{i:06d}", "access_code": "12345678"}
        )
        assert response.status_code == 400
        assert "受付番号または確認コードが違います" in response.content.decode()
    response = client.post(
        f"/{code}/status/", {"receipt_number": "20260101-000000", "access_code": "12345678"}
    )
    assert response.status_code == 429


def test_form_follows_the_english_ui(client, version):
    """Field labels, step titles and messages come from the definition's *_en texts."""
    definition = {
        **version.definition,
        "steps": [
            {
                **version.definition["steps"][0],
                "title_en": "Applicant",
                "fields": [
                    {
                        **f,
                        "label_en": {"name": "Full name", "birth_date": "Date of birth"}.get(
                            f["key"], ""
                        ),
                    }
                    for f in version.definition["steps"][0]["fields"]
                ],
            },
            version.definition["steps"][1],
        ],
    }
    from madoguchi.procedures.models import FormVersion

    english = FormVersion.objects.create(
        procedure=version.procedure, number=2, definition=definition
    )
    base = _start(client, english)
    client.cookies["django_language"] = "en"
    page = client.get(f"{base}/applicant/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Full name" in page and "Date of birth" in page and "Applicant" in page
    response = client.post(f"{base}/applicant/", {"_action": "next"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Date of birth" in response.content.decode()  # the error names the field in English
    client.cookies["django_language"] = "ja"
    assert (
        "生年月日" in client.get(f"{base}/applicant/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    )


def test_repeat_post_back_button_and_resume_link_after_submitting_show_the_receipt(
    client, version, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    base = _start(client, version)
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
    upload = SimpleUploadedFile("住民票.pdf", PDF, content_type="application/pdf")
    client.post(f"{base}/documents/", {"id_document": upload, "_action": "save"})
    saved = client.get(f"{base}/saved/").content.decode()
    resume_url = re.search(r'id="resume-link" href="([^"]+)"', saved).group(1)
    client.get(f"{base}/documents/")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{base}/check/").status_code == 302
    application = Application.objects.get()
    complete = client.get(f"/{version.procedure.municipality.code}/complete/").content.decode()
    access_code = re.search(r'id="access-code">(\d{8})<', complete).group(1)

    # The same browser: a second POST and the Back button show the receipt, with the code.
    with django_capture_on_commit_callbacks(execute=True):
        repeated = client.post(f"{base}/check/")
    for response in (
        repeated,
        client.get(f"{base}/check/"),
        client.get(f"{base}/applicant/"),
        client.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"}),
    ):
        page = response.content.decode()
        assert response.status_code == 200
        assert "この申請は受付済みです" in page
        assert application.receipt_number in page and access_code in page
        assert '<form method="post"' not in page
    assert Application.objects.count() == 1 and len(mailoutbox) == 1

    # Another browser holding the resume link: the receipt number, never the access code.
    other = Client()
    landing = other.get(resume_url, follow=True).content.decode()
    assert application.receipt_number in landing and access_code not in landing
    assert other.post(f"{base}/check/").status_code == 200
    assert Application.objects.count() == 1

    # Starting the procedure again is a new, empty draft (a deliberate second application).
    code, slug, _base = _urls(version)
    assert client.post(f"/{code}/procedures/{slug}/apply/").status_code == 302
    assert "この申請は受付済みです" not in client.get(f"{base}/applicant/").content.decode()
