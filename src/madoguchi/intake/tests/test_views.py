"""Staff screens: upload, reports, quarantine, re-try, linkage — and isolation between towns."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application
from madoguchi.intake.models import ImportRun, QuarantineItem
from madoguchi.intake.services import bundle_import

from .bundles import PDF_BYTES, BundleBuilder, manifest

pytestmark = pytest.mark.django_db


# A hyphen never occurs in a CSRF token, so the page check cannot match one by chance.
QUARANTINED = "Q-2026-000001"


@pytest.fixture
def staff(town: Any, client: Any) -> Any:
    user = StaffUserFactory(municipality=town)
    client.force_login(user)
    return user


def _quarantined(town: Any, form_data: dict[str, Any]) -> QuarantineItem:
    builder = BundleBuilder().add(
        manifest(QUARANTINED, procedure="test-certificate", form_version=2, form_data=form_data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    bundle_import(municipality=town, path_or_file=io.BytesIO(builder.build()))
    return QuarantineItem.objects.get()


def test_upload_shows_the_report(
    staff, client, version, make_bundle, django_capture_on_commit_callbacks
):
    # The import is a background job; the immediate task backend runs it on commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:home"), {"bundle": make_bundle(2)})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "intake:run", args=[run.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert 'id="run-imported">2<' in page
    assert run.actor == staff
    assert "照合" in page
    assert client.get(reverse("intake:home")).status_code == 200


def test_refused_bundle_message(staff, client, version, django_capture_on_commit_callbacks):
    upload = io.BytesIO(b"not a zip")
    upload.name = "x.zip"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:home"), {"bundle": upload})
    assert "zip ファイルとして読めません" in client.get(response["Location"]).content.decode()


def test_quarantine_retry_after_the_version_is_published(staff, client, version, form_data):
    from madoguchi.procedures.models import FormVersion

    item = _quarantined(staff.municipality, form_data)
    page = client.get(reverse("intake:quarantine"))
    assert "第2版はありません" in page.content.decode()
    assert client.get(reverse("intake:quarantine_item", args=[item.pk])).status_code == 200
    client.post(reverse("intake:quarantine_retry", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == QuarantineItem.Status.PENDING
    FormVersion.objects.create(procedure=version.procedure, number=2, definition=version.definition)
    client.post(reverse("intake:quarantine_retry", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == QuarantineItem.Status.IMPORTED
    assert item.application == Application.objects.get(receipt_number=QUARANTINED)


def test_dismiss(staff, client, version, form_data):
    item = _quarantined(staff.municipality, form_data)
    client.post(reverse("intake:quarantine_dismiss", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == QuarantineItem.Status.DISMISSED


def test_linkage_upload_needs_manager_or_admin(town, client):
    client.force_login(StaffUserFactory(municipality=town))
    assert client.get(reverse("intake:linkage")).status_code == 403
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    upload = io.BytesIO("証明書シリアル番号,宛名番号\nA,1\n".encode())
    upload.name = "links.csv"
    response = client.post(reverse("intake:linkage"), {"csv_file": upload}, follow=True)
    assert "追加 1 件" in response.content.decode()


def test_counter_staff_and_anonymous_are_refused(town, client):
    assert client.get(reverse("intake:home")).status_code == 302
    client.force_login(StaffUserFactory(municipality=town, counter=True))
    assert client.get(reverse("intake:home")).status_code == 403


def test_another_towns_runs_and_quarantine_are_not_found(
    town, other_town, version, form_data, client
):
    item = _quarantined(town, form_data)
    run = item.run
    client.force_login(StaffUserFactory(municipality=other_town, admin=True))
    for name, args in [
        ("intake:run", [run.pk]),
        ("intake:quarantine_item", [item.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    for name in ("intake:quarantine_retry", "intake:quarantine_dismiss"):
        assert client.post(reverse(name, args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.status == QuarantineItem.Status.PENDING
    listing = client.get(reverse("intake:quarantine")).content.decode()
    assert QUARANTINED not in listing
    home = client.get(reverse("intake:home")).content.decode()
    assert reverse("intake:run", args=[run.pk]) not in home
    assert ImportRun.objects.for_municipality(other_town).count() == 0
