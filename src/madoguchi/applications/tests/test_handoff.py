"""The four hand-off methods: transcription, RPA page, API, bulk CSV (UTF-8 BOM / cp932)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.handoff import services
from madoguchi.applications.handoff.layout import columns_for
from madoguchi.applications.models import Application, HandoffRecord
from madoguchi.applications.tests.factories import STORED_ANSWERS, ApplicationFactory
from madoguchi.core.models import AuditEvent
from madoguchi.procedures.formdef import parse_definition

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

STAFF = "/staff/applications/"


@pytest.fixture
def application():
    return ApplicationFactory(receipt_number="20250401-000001")


@pytest.fixture
def manager(application):
    return StaffUserFactory(municipality=application.municipality, manager=True)


def _download(client, response) -> bytes:
    assert response.status_code == 302, response.content.decode()[:3000]
    run_page = client.get(response["Location"]).content.decode()
    link = re.search(r'id="download" href="([^"]+)"', run_page).group(1)
    download = client.get(link)
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def _export(client, application, **data):
    body = {"procedure": application.procedure_id, "encoding": "utf-8-sig", "only_new": "on"}
    body.update(data)
    return client.post(f"{STAFF}export/", body)


def test_layout_splits_names_and_orders_by_print_order():
    definition = parse_definition(
        {
            "title": "t",
            "steps": [
                {
                    "key": "s",
                    "title": "s",
                    "fields": [
                        {"key": "email", "type": "email", "label": "メール", "print_order": 2},
                        {"key": "name", "type": "name", "label": "氏名", "print_order": 1},
                        {"key": "note", "type": "text", "label": "備考"},
                    ],
                }
            ],
        }
    )
    assert [c.key for c in columns_for(definition)] == [
        "name.family",
        "name.given",
        "name.family_kana",
        "name.given_kana",
        "email",
        "note",
    ]


def test_csv_utf8_with_bom_and_only_new_by_default(client, application, manager):
    client.force_login(manager)
    data = _download(client, _export(client, application))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "受付番号",
        "手続",
        "様式の版",
        "受付経路",
        "状態",
        "申請日時",
        "申請者氏名",
        "申請者氏名カナ",
    ]
    assert rows[0][8:] == [
        "氏名（姓）",
        "氏名（名）",
        "氏名（セイ）",
        "氏名（メイ）",
        "生年月日",
        "メールアドレス",
        "手数料（円）",
        "支払状況",
    ]
    assert rows[1][0] == application.receipt_number
    assert rows[1][8:] == [
        "山田",
        "花子",
        "ヤマダ",
        "ハナコ",
        "1975-04-01",
        "hanako@example.jp",
        "",
        "",
    ]
    stored = Application.objects.get(pk=application.pk)
    assert stored.export_run is not None and stored.handoff_method == "csv"
    assert stored.handed_off_at is not None
    # Nothing new: no file, a message.
    again = _export(client, application)
    assert again.status_code == 302 and again["Location"].endswith("/export/")
    assert "出力する申請はありません" in client.get(again["Location"]).content.decode()
    newer = ApplicationFactory(
        form_version=application.form_version, receipt_number="20250401-000002"
    )
    rows = list(
        csv.reader(io.StringIO(_download(client, _export(client, application)).decode("utf-8-sig")))
    )
    assert [r[0] for r in rows[1:]] == [newer.receipt_number]
    rows = list(
        csv.reader(
            io.StringIO(
                _download(client, _export(client, application, only_new="")).decode("utf-8-sig")
            )
        )
    )
    assert [r[0] for r in rows[1:]] == [application.receipt_number, newer.receipt_number]
    assert AuditEvent.objects.filter(action="export").count() >= 3


def test_cp932_reports_every_unrepresentable_character_and_writes_nothing(
    client, application, manager
):
    answers = json.loads(json.dumps(STORED_ANSWERS))
    answers["name"]["family"] = "𠮷田"
    Application.objects.filter(pk=application.pk).update(
        answers=answers, applicant_name="𠮷田 花子"
    )
    tilde = ApplicationFactory(
        form_version=application.form_version, receipt_number="20250401-000003"
    )
    tilde_answers = json.loads(json.dumps(STORED_ANSWERS))
    tilde_answers["name"]["given"] = "花〜子"  # WAVE DASH: the same JIS character as ～
    Application.objects.filter(pk=tilde.pk).update(answers=tilde_answers)
    client.force_login(manager)
    refused = _export(client, application, encoding="cp932")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Shift_JIS で表せない文字があるため、出力しませんでした" in page
    assert "U+20BB7" in page and "氏名（姓）" in page and "申請者氏名" in page
    assert "U+301C" not in page
    assert not Application.objects.filter(export_run__isnull=False).exists()
    data = _download(client, _export(client, application, encoding="cp932", substitute="on"))
    text = data.decode("cp932")
    assert "〓田" in text and "花～子" in text
    assert not text.startswith("\ufeff")


def test_cp932_writes_extension_characters_but_lists_them_as_outside_jis_x0208(
    client, application, manager
):
    """髙 and 﨑 are IBM extensions: cp932 holds them, JIS X 0208 does not. The file keeps them
    (no silent replacement) and the run page lists each place for staff to check."""
    answers = json.loads(json.dumps(STORED_ANSWERS))
    answers["name"]["family"] = "髙﨑"
    Application.objects.filter(pk=application.pk).update(
        answers=answers, applicant_name="髙﨑 花子"
    )
    client.force_login(manager)
    response = _export(client, application, encoding="cp932")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "JIS第1・第2水準にない文字（外字の候補）" in page
    assert "U+9AD9" in page and "U+FA11" in page and "氏名（姓）" in page
    text = _download(client, response).decode("cp932")
    assert "髙﨑" in text and "〓" not in text
    utf8 = _export(client, application, encoding="utf-8-sig", only_new="")
    assert "外字の候補" not in client.get(utf8["Location"]).content.decode()


def test_every_csv_cell_is_excel_safe_in_both_encodings(client, application, manager):
    """Hostile values in every answer and in the applicant columns: no cell of the file is a
    formula, in UTF-8 and in Shift_JIS, and each keeps its text behind the apostrophe."""
    from madoguchi.core.tests.test_csv import HOSTILE, is_formula

    client.force_login(manager)
    for encoding, decode in (("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")):
        for value in HOSTILE:
            answers = json.loads(json.dumps(STORED_ANSWERS))
            answers["name"] = dict.fromkeys(answers["name"], value)
            answers["email"] = value
            Application.objects.filter(pk=application.pk).update(
                answers=answers, applicant_name=value, applicant_kana=value, export_run=None
            )
            rows = list(
                csv.reader(
                    io.StringIO(
                        _download(client, _export(client, application, encoding=encoding)).decode(
                            decode
                        ),
                        newline="",
                    )
                )
            )
            cells = [cell for row in rows for cell in row]
            assert not [cell for cell in cells if is_formula(cell)], (encoding, value)
            assert rows[1].count("'" + value) == 7, (encoding, value, rows[1])


def test_transcription_view_in_layout_order_audited_and_marks_handed_off(
    client, application, manager
):
    client.force_login(manager)
    page = client.get(f"{STAFF}{application.pk}/transcription/").content.decode()
    assert page.index("氏名（姓）") < page.index("氏名（セイ）") < page.index("生年月日")
    assert "昭和50年4月1日（1975-04-01）" in page
    assert AuditEvent.objects.filter(action="transcription", object_id=str(application.pk)).exists()
    response = client.post(f"{STAFF}{application.pk}/handed-off/", {"method": "transcription"})
    assert response.status_code == 302
    stored = Application.objects.get(pk=application.pk)
    assert stored.handoff_method == "transcription" and stored.handed_off_at is not None
    assert HandoffRecord.objects.get().actor == manager
    assert client.post(f"{STAFF}{application.pk}/handed-off/", {"method": "csv"}).status_code == 302
    assert HandoffRecord.objects.count() == 1  # a CSV hand-off is made by exporting only


def test_rpa_page_has_the_documented_ids_and_the_queue_empties(client, application, manager):
    client.force_login(manager)
    queue = client.get(f"{STAFF}rpa/{application.procedure.slug}/").content.decode()
    assert 'id="mg-queue-count">1<' in queue
    assert f'data-receipt-number="{application.receipt_number}"' in queue
    page = client.get(f"{STAFF}{application.pk}/rpa/").content.decode()
    for element_id in (
        "mg-receipt-number",
        "mg-procedure",
        "mg-form-version",
        "mg-status",
        "mg-channel",
        "mg-submitted-at",
        "mg-applicant-name",
        "mg-applicant-kana",
        "mg-handoff",
        "mg-fields",
        "mg-f-name__family",
        "mg-f-name__given_kana",
        "mg-f-birth_date",
        "mg-f-email",
        "mg-handoff-form",
        "mg-handoff-button",
    ):
        assert f'id="{element_id}"' in page, element_id
    assert re.search(r'id="mg-f-name__family">山田<', page)
    assert 'id="mg-handoff" data-value="pending"' in page
    done = client.post(f"{STAFF}{application.pk}/handed-off/", {"method": "rpa"}, follow=True)
    assert 'id="mg-handoff" data-value="done"' in done.content.decode()
    queue = client.get(f"{STAFF}rpa/{application.procedure.slug}/").content.decode()
    assert 'id="mg-queue-count">0<' in queue


@pytest.fixture
def token(application):
    _token, secret = services.api_token_create(
        municipality=application.municipality,
        name="住民記録システム",
        scopes=["applications:read", "applications:handoff"],
    )
    return secret


def _api(client, method, path, secret):
    return getattr(client, method)(f"/api/v1/handoff/{path}", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_api_lists_fetches_and_marks_handed_off(client, application, token):
    code = application.municipality.code
    slug = application.procedure.slug
    listing = _api(client, "get", f"{code}/procedures/{slug}/applications", token)
    assert listing.status_code == 200
    assert [a["receipt_number"] for a in listing.json()] == [application.receipt_number]
    one = _api(client, "get", f"{code}/applications/{application.receipt_number}", token)
    assert one.status_code == 200
    body = one.json()
    assert body["answers"]["email"] == "hanako@example.jp"
    assert {"key": "name.family", "label": "氏名（姓）", "value": "山田"} in body["columns"]
    event = AuditEvent.objects.get(action="api_fetch")
    assert event.actor_label == "api:住民記録システム" and event.actor is None
    marked = _api(
        client, "post", f"{code}/applications/{application.receipt_number}/handed-off", token
    )
    assert marked.status_code == 200 and marked.json()["method"] == "api"
    assert _api(client, "get", f"{code}/procedures/{slug}/applications", token).json() == []
    everything = _api(
        client, "get", f"{code}/procedures/{slug}/applications?handed_off=true", token
    )
    assert len(everything.json()) == 1
    assert HandoffRecord.objects.get().token.name == "住民記録システム"
    missing = _api(client, "get", f"{code}/applications/20990101-000000", token)
    assert missing.status_code == 404 and "見つかりません" in missing.json()["detail"]


def test_api_tokens_scopes_and_revocation(client, application):
    code = application.municipality.code
    path = f"{code}/applications/{application.receipt_number}"
    read_token, read_only = services.api_token_create(
        municipality=application.municipality, name="閲覧", scopes=["applications:read"]
    )
    assert _api(client, "get", path, read_only).status_code == 200
    refused = _api(client, "post", path + "/handed-off", read_only)
    assert refused.status_code == 403 and "applications:handoff" in refused.json()["detail"]
    assert _api(client, "get", path, "mgk_nothing_here").status_code == 401
    assert _api(client, "get", path, read_only[:-2] + "xx").status_code == 401
    read_token.revoked_at = timezone.now()
    read_token.save()
    assert _api(client, "get", path, read_only).status_code == 401
    with pytest.raises(services.HandoffRefused):
        services.api_token_create(municipality=application.municipality, name="x", scopes=["admin"])


def test_an_admin_issues_a_token_in_the_admin_and_sees_it_once(client, application):
    from madoguchi.applications.models import ApiToken

    admin_user = StaffUserFactory(municipality=application.municipality, admin=True)
    client.force_login(admin_user)
    response = client.post(
        "/staff/admin/applications/apitoken/add/",
        {"name": "福祉システム", "scopes": ["applications:read"]},
        follow=True,
    )
    assert response.status_code == 200
    secret = re.search(r"(mgk_[A-Za-z0-9_\-]+)", response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.municipality == application.municipality and token.scopes == ["applications:read"]
    assert secret not in token.token_hash
    path = f"{application.municipality.code}/applications/{application.receipt_number}"
    assert _api(client, "get", path, secret).status_code == 200


# --- Attachments through the API -------------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF"


def _attach(application, name="本人確認書類.pdf", content=PDF, *, in_answers=True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from madoguchi.applications.services import (
        attachment_prepare_for_application,
        attachment_save,
    )

    prepared = attachment_prepare_for_application(
        application=application,
        field_path="id_document",
        uploaded=SimpleUploadedFile(name, content, "application/pdf"),
    )
    attachment = attachment_save(prepared)
    if in_answers:
        application.answers = {**application.answers, "id_document": prepared.reference}
        application.save(update_fields=["answers"])
    return attachment


def _attachment_path(application, attachment_id) -> str:
    code = application.municipality.code
    return f"{code}/applications/{application.receipt_number}/attachments/{attachment_id}"


def test_api_lists_attachments_and_serves_their_bytes(client, application, token):
    replaced = _attach(application, "古い書類.pdf", PDF + b"\n% old", in_answers=False)
    attachment = _attach(application)
    code = application.municipality.code
    body = _api(client, "get", f"{code}/applications/{application.receipt_number}", token).json()
    listed = {a["id"]: a for a in body["attachments"]}
    assert list(listed) == [str(replaced.pk), str(attachment.pk)]  # oldest first
    expected_path = "/api/v1/handoff/" + _attachment_path(application, attachment.pk)
    assert listed[str(attachment.pk)] == {
        "id": str(attachment.pk),
        "field_path": "id_document",
        "original_name": "本人確認書類.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "current": True,
        "url": expected_path,
    }
    assert listed[str(replaced.pk)]["current"] is False
    AuditEvent.objects.all().delete()

    response = client.get(expected_path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # RFC 5987: the Japanese name percent-encoded in UTF-8, nothing raw in the header.
    assert "filename*=utf-8''%E6%9C%AC%E4%BA%BA" in disposition and disposition.isascii()
    event = AuditEvent.objects.get()
    assert event.action == "download" and event.actor_label == "api:住民記録システム"
    assert event.object_id == str(application.pk) and event.municipality == application.municipality
    old = client.get(
        "/api/v1/handoff/" + _attachment_path(application, replaced.pk),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert b"".join(old.streaming_content) == PDF + b"\n% old"


def test_api_attachments_stay_inside_their_town_and_application(client, application, token):
    from madoguchi.tenancy.tests.factories import MunicipalityFactory

    attachment = _attach(application)
    # Another application of the same town, with its own file.
    sibling = ApplicationFactory(
        form_version=application.form_version, receipt_number="20250401-000002"
    )
    sibling_file = _attach(sibling, "別の人の書類.pdf")
    other_town = MunicipalityFactory()
    _other, other_secret = services.api_token_create(
        municipality=other_town, name="他市", scopes=["applications:read"]
    )
    own_path = _attachment_path(application, attachment.pk)
    # Another town's token: the same 404 as for a missing application, whatever code it names.
    assert _api(client, "get", own_path, other_secret).status_code == 404
    assert (
        _api(
            client,
            "get",
            own_path.replace(application.municipality.code, other_town.code),
            other_secret,
        ).status_code
        == 404
    )
    # The right town, but the other application's file under this receipt number.
    wrong = _api(client, "get", _attachment_path(application, sibling_file.pk), token)
    assert wrong.status_code == 404 and "添付ファイル" in wrong.json()["detail"]
    assert (
        _api(client, "get", _attachment_path(application, "not-a-uuid"), token).status_code == 404
    )
    assert not AuditEvent.objects.exists()
    # Purged: gone from the API as a whole.
    Application.objects.filter(pk=application.pk).update(purged_at=timezone.now())
    assert _api(client, "get", own_path, token).status_code == 404
    assert not AuditEvent.objects.exists()


def test_api_attachments_need_the_read_scope(client, application):
    attachment = _attach(application)
    _handoff_only, secret = services.api_token_create(
        municipality=application.municipality, name="連携のみ", scopes=["applications:handoff"]
    )
    refused = _api(client, "get", _attachment_path(application, attachment.pk), secret)
    assert refused.status_code == 403 and "applications:read" in refused.json()["detail"]
    assert (
        _api(client, "get", _attachment_path(application, attachment.pk), "mgk_x_y").status_code
        == 401
    )
    assert not AuditEvent.objects.exists()


@pytest.mark.urls("madoguchi.urls")
def test_the_attachment_endpoint_is_in_the_openapi_document(client):
    schema = client.get("/api/openapi.json").json()
    path = "/api/v1/handoff/{code}/applications/{receipt_number}/attachments/{attachment_id}"
    operation = schema["paths"][path]["get"]
    assert operation["responses"]["200"]["content"]["application/octet-stream"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
    assert {"403", "404"} <= set(operation["responses"])
    listed = schema["components"]["schemas"]["AttachmentOut"]["properties"]
    assert {"id", "field_path", "original_name", "content_type", "size", "url"} <= set(listed)
