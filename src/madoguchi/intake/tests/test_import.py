from __future__ import annotations

import io
from typing import Any

import pytest

from madoguchi.applications.models import Application, ApplicationEvent, Attachment, Channel
from madoguchi.intake.models import ImportedApplication, ImportRun, QuarantineItem
from madoguchi.intake.services import bundle_import

from .bundles import PDF_BYTES, PNG_BYTES, BundleBuilder, manifest

pytestmark = pytest.mark.django_db


def _snapshot(municipality: Any) -> dict[str, Any]:
    apps = Application.objects.for_municipality(municipality)
    return {
        "applications": sorted(apps.values_list("receipt_number", "updated_at", "version")),
        "events": ApplicationEvent.objects.filter(application__in=apps).count(),
        "attachments": sorted(
            Attachment.objects.for_municipality(municipality).values_list("pk", "sha256")
        ),
        "records": ImportedApplication.objects.count(),
        "quarantine": sorted(QuarantineItem.objects.values_list("pk", "status")),
    }


def test_import_creates_applications_with_events_attachments_and_records(
    town, version, make_bundle
):
    report = bundle_import(municipality=town, path_or_file=make_bundle(3))
    assert (report.total, report.imported, report.duplicates, report.rejected) == (3, 3, 0, 0)
    application = Application.objects.get(receipt_number="R00000001")
    assert application.channel == Channel.BUNDLE
    assert application.form_version == version
    assert application.applicant_name == "山田 花子"
    assert application.applicant_kana == "ヤマダ ハナコ"
    assert application.answers["birth_date"] == "1975-04-01"
    ref = application.answers["id_document"]
    attachment = Attachment.objects.get(pk=ref["attachment"])
    assert attachment.application == application
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == PDF_BYTES
    assert application.events.get().kind == ApplicationEvent.Kind.SUBMITTED
    record = application.intake_record
    assert record.match == ImportedApplication.Match.NO_CERTIFICATE
    assert record.applicant_address == "静岡県テスト市本町1-1"
    assert report.run.status == ImportRun.Status.COMPLETED


def test_importing_the_same_bundle_twice_changes_nothing(town, version, make_bundle):
    data = make_bundle(4).getvalue()
    first = bundle_import(municipality=town, path_or_file=io.BytesIO(data))
    assert first.imported == 4
    before = _snapshot(town)
    second = bundle_import(municipality=town, path_or_file=io.BytesIO(data))
    assert (second.imported, second.duplicates, second.rejected) == (0, 4, 0)
    assert _snapshot(town) == before


def test_xml_manifest_imports_like_json(town, version, form_data):
    builder = BundleBuilder().add(
        manifest("X1", procedure="STD-0001", form_data=form_data),
        xml=True,
        files={"attachments/id.pdf": PDF_BYTES},
    )
    report = bundle_import(municipality=town, path_or_file=io.BytesIO(builder.build()))
    assert report.imported == 1, report.rejections
    application = Application.objects.get(receipt_number="X1")
    assert application.answers["name"]["family"] == "山田"


def test_same_receipt_number_with_other_content_is_quarantined(town, version, form_data):
    one = BundleBuilder().add(
        manifest("R1", procedure="test-certificate", form_data=form_data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    bundle_import(municipality=town, path_or_file=io.BytesIO(one.build()))
    changed = BundleBuilder().add(
        manifest(
            "R1", procedure="test-certificate", form_data={**form_data, "email": "x@example.jp"}
        ),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    report = bundle_import(municipality=town, path_or_file=io.BytesIO(changed.build()))
    assert report.rejected == 1
    assert "内容の異なる申請" in report.rejections[0].reasons[0]["message"]
    assert Application.objects.get(receipt_number="R1").contact_email == "hanako@example.jp"


def test_attachment_whose_real_type_differs_is_rejected(town, version, form_data):
    builder = BundleBuilder().add(
        manifest("R1", procedure="test-certificate", form_data=form_data),
        files={"attachments/id.pdf": PNG_BYTES},
    )
    report = bundle_import(municipality=town, path_or_file=io.BytesIO(builder.build()))
    assert report.rejected == 1
    message = report.rejections[0].reasons[0]["message"]
    assert "拡張子" in message
    assert not Application.objects.exists()
    assert not Attachment.objects.exists()


def test_checking_in_worker_processes_gives_the_same_result(town, version, form_data, tmp_path):
    """Workers check while this process writes: same applications, same refusals, in order."""
    builder = BundleBuilder()
    for i in range(1, 11):
        builder.add(
            manifest(f"R{i}", procedure="test-certificate", form_data=form_data),
            files={"attachments/id.pdf": PDF_BYTES},
        )
    builder.add(  # no such form version
        manifest("R11", procedure="test-certificate", form_version=9, form_data=form_data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    builder.add(  # a PNG declared as the PDF
        manifest("R12", procedure="test-certificate", form_data=form_data),
        files={"attachments/id.pdf": PNG_BYTES},
    )
    builder.add(  # the same receipt number again, other content, in another folder
        manifest("R3", procedure="test-certificate", form_data={**form_data, "email": "x@a.jp"}),
        folder="applications/again",
        files={"attachments/id.pdf": PDF_BYTES},
    )
    path = tmp_path / "bundle.zip"  # a real file: workers read it at their own offsets
    path.write_bytes(builder.build())

    report = bundle_import(municipality=town, path_or_file=path, chunk_size=2, workers=2)

    assert (report.total, report.imported, report.rejected) == (13, 10, 3)
    assert report.imported_receipts == [f"R{i}" for i in range(1, 11)]
    assert [r.receipt_number for r in report.rejections] == ["R11", "R12", "R3"]
    assert "第9版" in report.rejections[0].reasons[0]["message"]
    assert "内容の異なる申請" in report.rejections[2].reasons[0]["message"]
    for application in Application.objects.for_municipality(town):
        attachment = Attachment.objects.get(application=application)
        assert attachment.file.read() == PDF_BYTES
        assert application.events.count() == 1
    assert QuarantineItem.objects.count() == 3


def test_a_bundle_application_has_no_access_code_that_opens_its_status_page(
    town, version, form_data
):
    from madoguchi.applications import codes
    from madoguchi.applications.selectors import application_for_resident

    builder = BundleBuilder().add(
        manifest("20250616-000123", procedure="test-certificate", form_data=form_data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    bundle_import(municipality=town, path_or_file=io.BytesIO(builder.build()))
    application = Application.objects.get(receipt_number="20250616-000123")
    assert application.access_code_hash == codes.NO_ACCESS_CODE
    for code in ("", "00000000", "12345678"):
        found = application_for_resident(
            municipality=town, receipt_number="20250616-000123", access_code=code
        )
        assert found is None
