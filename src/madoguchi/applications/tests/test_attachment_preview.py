"""Attachments seen in the back office: images inline and sandboxed, PDFs as rendered pictures,
superseded files marked, every look audited, nothing shown to anyone else."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application, Attachment
from madoguchi.applications.tests.factories import ApplicationFactory, pdf_bytes
from madoguchi.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

INBOX = "/staff/applications/"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _attach(application: Application, name: str, content_type: str, data: bytes) -> Attachment:
    attachment = Attachment(
        municipality=application.municipality,
        application=application,
        field_path="id_document",
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256="x",
    )
    attachment.file.save(str(attachment.id), ContentFile(data), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def application():
    return ApplicationFactory()


@pytest.fixture
def manager(application):
    return StaffUserFactory(municipality=application.municipality, manager=True)


def test_pdf_pages_are_rendered_as_png_and_audited(client, application, manager):
    attachment = _attach(application, "住民票.pdf", "application/pdf", pdf_bytes(7))
    client.force_login(manager)
    page = client.get(f"{INBOX}{application.pk}/attachments/{attachment.id}/preview/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("/pages/") == 5  # at most five pages are shown
    assert "続きのページはダウンロード" in html
    image = client.get(f"{INBOX}{application.pk}/attachments/{attachment.id}/pages/1.png")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert "sandbox" in image["Content-Security-Policy"]
    picture = Image.open(io.BytesIO(image.content))
    assert picture.width == 1000 and 1400 < picture.height < 1420  # A4 proportions
    assert (
        client.get(f"{INBOX}{application.pk}/attachments/{attachment.id}/pages/6.png").status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="view", object_id=str(application.pk)).count() >= 2


def test_a_damaged_pdf_says_so_instead_of_failing(client, application, manager):
    attachment = _attach(application, "壊れた.pdf", "application/pdf", b"%PDF-1.7 not really")
    client.force_login(manager)
    page = client.get(f"{INBOX}{application.pk}/attachments/{attachment.id}/preview/")
    assert page.status_code == 200
    assert "画面に表示できません" in page.content.decode()
    assert (
        client.get(f"{INBOX}{application.pk}/attachments/{attachment.id}/pages/1.png").status_code
        == 404
    )


def test_images_are_shown_inline_in_a_sandbox_and_pdfs_never_inline(client, application, manager):
    image = _attach(application, "写真.png", "image/png", _png())
    pdf = _attach(application, "書類.pdf", "application/pdf", pdf_bytes(1))
    client.force_login(manager)
    inline = client.get(f"{INBOX}{application.pk}/attachments/{image.id}/?inline=1")
    assert inline.status_code == 200
    assert inline["Content-Disposition"].startswith("inline")
    assert "sandbox" in inline["Content-Security-Policy"]
    assert "default-src 'none'" in inline["Content-Security-Policy"]
    # A PDF asked for inline is still a download: the browser's viewer never runs it.
    download = client.get(f"{INBOX}{application.pk}/attachments/{pdf.id}/?inline=1")
    assert download["Content-Disposition"].startswith("attachment")


def test_superseded_files_are_marked_on_the_detail_page(client, application, manager):
    old = _attach(application, "古い免許証.pdf", "application/pdf", pdf_bytes(1))
    new = _attach(application, "新しい免許証.pdf", "application/pdf", pdf_bytes(1))
    answers = dict(application.answers)
    answers["id_document"] = {"attachment": str(new.pk), "name": new.original_name}
    Application.objects.filter(pk=application.pk).update(answers=answers)
    client.force_login(manager)
    html = client.get(f"{INBOX}{application.pk}/").content.decode()
    listing = html.split('id="attachments"')[1].split("</ul>")[0]
    before, after = listing.split(old.original_name)[0], listing.split(new.original_name)[0]
    assert "差し替え前" in before.split("<li")[-1]
    assert "差し替え前" not in after.split("<li")[-1]
    assert listing.count("この画面で見る") == 2


def test_other_staff_cannot_preview(client, application):
    attachment = _attach(application, "住民票.pdf", "application/pdf", pdf_bytes(1))
    client.force_login(StaffUserFactory(municipality=application.municipality))  # no department
    for suffix in ("preview/", "pages/1.png"):
        assert (
            client.get(f"{INBOX}{application.pk}/attachments/{attachment.id}/{suffix}").status_code
            == 404
        )
    stranger = ApplicationFactory()
    client.force_login(StaffUserFactory(municipality=stranger.municipality, manager=True))
    for suffix in ("preview/", "pages/1.png", "?inline=1"):
        assert (
            client.get(f"{INBOX}{application.pk}/attachments/{attachment.id}/{suffix}").status_code
            == 404
        )
