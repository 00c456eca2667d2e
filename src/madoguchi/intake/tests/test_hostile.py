"""Hostile and broken input: refused with a clear Japanese reason, nothing half-imported."""

from __future__ import annotations

import io
import stat
import zipfile
from typing import Any

import pytest

from madoguchi.applications.models import Application, Attachment
from madoguchi.intake.bundle import Limits
from madoguchi.intake.models import ImportRun, QuarantineItem
from madoguchi.intake.services import bundle_import

from .bundles import PDF_BYTES, BundleBuilder, applicant, manifest

pytestmark = pytest.mark.django_db


def _import(town: Any, data: bytes, **kwargs: Any) -> Any:
    return bundle_import(municipality=town, path_or_file=io.BytesIO(data), **kwargs)


def _one(town: Any, form_data: dict[str, Any], **overrides: Any) -> list[str]:
    overrides.setdefault("procedure", "test-certificate")
    builder = BundleBuilder().add(
        manifest("R1", form_data=form_data, **overrides),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    report = _import(town, builder.build())
    assert report.imported == 0 and report.rejected == 1
    assert not Application.objects.exists()
    assert QuarantineItem.objects.get().reasons == report.rejections[0].reasons
    return [r["message"] for r in report.rejections[0].reasons]


XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<application><receipt_number>&lol3;</receipt_number></application>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<application><receipt_number>&xxe;</receipt_number></application>"""


@pytest.mark.parametrize("payload", [XML_BOMB, XXE], ids=["billion-laughs", "external-entity"])
def test_xml_entities_are_refused(town, version, payload):
    report = _import(town, BundleBuilder().add(payload, folder="applications/x", xml=True).build())
    assert report.rejected == 1
    assert "DTD" in report.rejections[0].reasons[0]["message"]


def test_zip_bomb_by_ratio_is_refused(town, version):
    builder = BundleBuilder().raw("applications/a/attachments/big.pdf", b"\0" * (3 * 1024 * 1024))
    report = _import(town, builder.build())
    assert report.refused and "zip 爆弾" in report.refused
    assert ImportRun.objects.get().status == ImportRun.Status.REFUSED


def test_zip_bomb_by_total_size_and_member_count_is_refused(town, version):
    builder = BundleBuilder()
    for i in range(5):
        builder.raw(f"applications/{i}/manifest.json", b"{}" + b" " * 1000)
    report = _import(town, builder.build(), limits=Limits(max_total_bytes=3000))
    assert "合計サイズ" in report.refused
    report = _import(town, builder.build(), limits=Limits(max_members=4))
    assert "多すぎます" in report.refused


def test_member_lying_about_its_size_is_rejected(town, version, form_data):
    builder = BundleBuilder().add(
        manifest("R1", procedure="test-certificate", form_data=form_data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    data = bytearray(builder.build(compression=zipfile.ZIP_STORED))
    # Shrink the declared size of the attachment in the central directory and local header.
    info = next(
        i
        for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()
        if i.filename.endswith(".pdf")
    )
    real = info.file_size.to_bytes(4, "little")
    fake = (info.file_size - 10).to_bytes(4, "little")
    patched = bytes(data).replace(real, fake)
    report = _import(town, patched)
    assert report.refused or report.rejected == 1
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["../evil.json", "/etc/passwd", "applications/../../x", "C:/windows/x", "a\\..\\b", "a/./b"],
)
def test_unsafe_member_names_refuse_the_bundle(town, version, name):
    report = _import(town, BundleBuilder().raw(name, b"x").build())
    assert report.refused
    assert "取り込みません" in report.refused


def test_symlink_member_refuses_the_bundle(town, version):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo("applications/a/attachments/link.pdf")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    report = _import(town, buffer.getvalue())
    assert "シンボリックリンク" in report.refused


def test_not_a_zip_is_refused(town, version):
    report = _import(town, b"PK\x03\x04 not really")
    assert "zip" in report.refused


def test_attachment_path_escaping_its_folder_is_rejected(town, version, form_data):
    data = {**form_data, "id_document": {"file": "../other/attachments/id.pdf"}}
    builder = BundleBuilder().add(
        manifest("R1", procedure="test-certificate", form_data=data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    builder.raw("applications/other/attachments/id.pdf", PDF_BYTES)
    report = _import(town, builder.build())
    assert report.rejected == 1
    assert "正しくありません" in report.rejections[0].reasons[0]["message"]


def test_unknown_procedure(town, version, form_data):
    (message,) = _one(town, form_data, procedure="no-such-procedure")
    assert "この自治体に登録されていません" in message


def test_procedure_of_another_municipality_is_unknown(town, other_town, version, form_data):
    from madoguchi.applications.tests.factories import FormVersionFactory, ProcedureFactory

    FormVersionFactory(procedure=ProcedureFactory(municipality=other_town, slug="theirs"))
    (message,) = _one(town, form_data, procedure="theirs")
    assert "この自治体に登録されていません" in message


def test_wrong_form_version(town, version, form_data):
    (message,) = _one(town, form_data, form_version=2)
    assert "第2版はありません" in message


def test_malformed_dates(town, version, form_data):
    messages = _one(
        town,
        {**form_data, "birth_date": "令和99年13月1日"},
        submitted_at="2025-13-01",
        applicant=applicant(birth_date="昭和100年"),
    )
    assert any("申請日時" in m for m in messages)
    assert any("生年月日" in m for m in messages)


def test_missing_applicant_fields_are_all_reported(town, version, form_data):
    messages = _one(town, form_data, applicant={})
    assert messages == [
        "申請者の氏名がありません。",
        "申請者の氏名（カナ）がありません。",
        "申請者の生年月日がありません。",
        "申請者の住所がありません。",
    ]


def test_invalid_form_data_reports_the_field(town, version, form_data):
    messages = _one(town, {**form_data, "email": "not an address"})
    assert messages and all(m for m in messages)
    item = QuarantineItem.objects.get()
    assert item.reasons[0]["field"] == "form_data.email"


def test_missing_attachment_member(town, version, form_data):
    builder = BundleBuilder().add(manifest("R1", procedure="test-certificate", form_data=form_data))
    report = _import(town, builder.build())
    assert "バンドル内にありません" in report.rejections[0].reasons[0]["message"]
    assert not Attachment.objects.exists()


def test_declared_content_type_must_match(town, version, form_data):
    data = {**form_data, "id_document": {"file": "attachments/id.pdf", "content_type": "image/png"}}
    (message,) = _one(town, data)
    assert "一致しません" in message


def test_good_applications_beside_bad_ones_are_imported(town, version, form_data):
    builder = BundleBuilder()
    builder.add(
        manifest("OK1", procedure="test-certificate", form_data=form_data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    builder.add(b"{not json", folder="applications/broken")
    report = _import(town, builder.build())
    assert (report.imported, report.rejected) == (1, 1)
    assert "形式が正しくありません" in report.rejections[0].reasons[0]["message"]


def test_receipt_number_duplicated_inside_the_bundle(town, version, form_data):
    builder = BundleBuilder()
    for folder in ("a", "b"):
        builder.add(
            manifest("R1", procedure="test-certificate", form_data=form_data),
            folder=f"applications/{folder}",
            files={"attachments/id.pdf": PDF_BYTES},
        )
    report = _import(town, builder.build())
    assert (report.imported, report.rejected) == (1, 1)
    assert "バンドル内で受付番号が重複" in report.rejections[0].reasons[0]["message"]


def test_quarantine_is_not_duplicated_by_reimport(town, version, form_data):
    builder = BundleBuilder().add(
        manifest("R1", procedure="test-certificate", form_version=9, form_data=form_data),
        files={"attachments/id.pdf": PDF_BYTES},
    )
    data = builder.build()
    _import(town, data)
    _import(town, data)
    assert QuarantineItem.objects.count() == 1
