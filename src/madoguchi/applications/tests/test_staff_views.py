"""The back office over HTTP: inbox, detail, workflow actions, attachments, audit record."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application, Attachment
from madoguchi.applications.tests.factories import (
    ApplicationFactory,
    FormVersionFactory,
    ProcedureFactory,
    back_office_user,
)
from madoguchi.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

INBOX = "/staff/applications/"


@pytest.fixture
def application():
    return ApplicationFactory(receipt_number="20250401-123456")


@pytest.fixture
def manager(application):
    return StaffUserFactory(municipality=application.municipality, manager=True)


def _receipts(response) -> list[str]:
    return re.findall(r"\d{8}-\d{6}", response.content.decode().split('id="inbox"')[1])


def test_sign_in_and_role_are_required(client, application):
    assert client.get(INBOX).status_code == 302
    client.force_login(StaffUserFactory(municipality=application.municipality, counter=True))
    assert client.get(INBOX).status_code == 403
    assert client.get(f"{INBOX}{application.pk}/").status_code == 403


def test_inbox_lists_filters_searches_and_counts(client, application, manager):
    other = ApplicationFactory(
        form_version=application.form_version,
        receipt_number="20250402-654321",
        applicant_name="佐藤 一郎",
        applicant_kana="サトウ イチロウ",
        in_review=True,
        channel="counter",
    )
    client.force_login(manager)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert set(_receipts(response)) == {application.receipt_number, other.receipt_number}
    page = response.content.decode()
    assert 'data-count="received">1<' in page and 'data-count="in_review">1<' in page

    def found(**params):
        # The search is sent by POST and kept in the session: the term never enters a URL.
        sent = client.post(INBOX, params)
        assert sent.status_code == 302 and "q=" not in sent["Location"]
        return set(_receipts(client.get(sent["Location"])))

    assert found(status="in_review") == {other.receipt_number}
    assert found(channel="counter") == {other.receipt_number}
    assert found(q="２０２５０４０１－１２３４５６") == {application.receipt_number}  # 全角
    assert found(q="20250402") == {other.receipt_number}
    assert found(q="123456") == {application.receipt_number}
    assert found(q="さとう") == {other.receipt_number}  # hiragana finds katakana
    assert found(q="ｻﾄｳ") == {other.receipt_number}  # 半角カナ
    assert found(q="山田花子") == {application.receipt_number}  # spaces ignored
    assert found(assignee="none") == {application.receipt_number, other.receipt_number}
    assert found(assignee="me") == set()
    assert found(date_from="令和7年4月2日") == {other.receipt_number} | (
        {application.receipt_number}
        if application.submitted_at.date().isoformat() >= "2025-04-02"
        else set()
    )
    bad = client.get(INBOX, {"date_from": "2025-13-40"})
    assert bad.status_code == 200 and "mg-error" in bad.content.decode()


def test_inbox_query_count_does_not_grow_with_rows(
    client, application, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(14) as few:
        client.get(INBOX)
    ApplicationFactory.create_batch(30, form_version=application.form_version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert len(_receipts(response)) == 31


def test_back_office_sees_only_their_departments(client, application):
    clerk = back_office_user(application.procedure)
    elsewhere = ApplicationFactory(
        form_version=FormVersionFactory(
            without_files=True,
            procedure=ProcedureFactory(municipality=application.municipality, department="福祉課"),
        )
    )
    client.force_login(clerk)
    assert set(_receipts(client.get(INBOX))) == {application.receipt_number}
    assert client.get(f"{INBOX}{elsewhere.pk}/").status_code == 404
    assert client.get(f"{INBOX}{application.pk}/").status_code == 200
    nobody = StaffUserFactory(municipality=application.municipality)
    client.force_login(nobody)
    page = client.get(INBOX).content.decode()
    assert "担当する手続がまだ設定されていません" in page
    assert client.get(f"{INBOX}{application.pk}/").status_code == 404


def test_detail_in_form_order_is_audited_and_the_manager_reads_the_record(
    client, application, manager
):
    clerk = back_office_user(application.procedure)
    client.force_login(clerk)
    page = client.get(f"{INBOX}{application.pk}/").content.decode()
    assert page.index("氏名") < page.index("生年月日") < page.index("メールアドレス")
    assert "山田 花子（ヤマダ ハナコ）" in page
    event = AuditEvent.objects.get(action="view")
    assert (event.actor, event.object_id, event.municipality) == (
        clerk,
        str(application.pk),
        application.municipality,
    )
    assert "山田" not in f"{event.actor_label}{event.object_type}{event.object_id}"
    assert client.get(f"{INBOX}audit/").status_code == 403  # back office: no
    client.force_login(manager)
    audit = client.get(f"{INBOX}audit/", {"receipt_number": application.receipt_number})
    assert audit.status_code == 200
    assert clerk.username in audit.content.decode()


def test_transition_and_a_clear_message_for_the_second_of_two(client, application, manager):
    client.force_login(manager)
    url = f"{INBOX}{application.pk}/transition/"
    response = client.post(url, {"version": 1, "to_status": "in_review"})
    assert response.status_code == 302
    stale = client.post(
        url, {"version": 1, "to_status": "rejected", "reason": "書類が足りないため"}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "ほかの職員が先にこの申請を更新しました" in page
    assert "書類が足りないため" in page  # the typed reason is still there
    assert re.search(r'id="transition-form".*?name="version" value="2"', page, re.S)
    assert Application.objects.get(pk=application.pk).status == "in_review"
    no_reason = client.post(url, {"version": 2, "to_status": "rejected"})
    assert no_reason.status_code == 400
    assert "理由を入力してください" in no_reason.content.decode()
    refused = client.post(url, {"version": 2, "to_status": "received"})
    assert refused.status_code == 400
    assert "することはできません" in refused.content.decode()
    assert client.post(url, {"version": 2, "to_status": "completed"}).status_code == 302
    assert Application.objects.get(pk=application.pk).status == "completed"


def test_assign_note_and_correction_forms(
    client, application, manager, mailoutbox, django_capture_on_commit_callbacks
):
    clerk = back_office_user(application.procedure)
    client.force_login(manager)
    base = f"{INBOX}{application.pk}/"
    assert client.post(base + "assign/", {"version": 1, "assignee": clerk.pk}).status_code == 302
    assert Application.objects.get(pk=application.pk).assignee == clerk
    assert client.post(base + "note/", {"note": ""}).status_code == 400
    assert client.post(base + "note/", {"note": "電話済み"}).status_code == 302
    assert (
        client.post(base + "transition/", {"version": 2, "to_status": "in_review"}).status_code
        == 302
    )
    bad = client.post(
        base + "correction/",
        {"version": 3, "fields_to_correct": ["email"], "message": "", "deadline": "昨日"},
    )
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            base + "correction/",
            {
                "version": 3,
                "fields_to_correct": ["email"],
                "message": "メールアドレスが違うようです。",
                "deadline": "2099-12-31",
            },
        )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == "correction_requested"
    assert len(mailoutbox) == 1
    assert "/correction/" in mailoutbox[0].body and "メールアドレス" in mailoutbox[0].body


def test_attachments_download_for_authorised_staff_only_and_audited(client, application, manager):
    attachment = Attachment(
        municipality=application.municipality,
        application=application,
        field_path="id_document",
        original_name="免許証.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    attachment.file.save(str(attachment.id), ContentFile(b"%PDF"), save=False)
    attachment.save()
    url = f"{INBOX}{application.pk}/attachments/{attachment.id}/"
    other = ApplicationFactory(form_version=application.form_version)
    client.force_login(StaffUserFactory(municipality=application.municipality))  # no department
    assert client.get(url).status_code == 404
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF"
    assert "attachment;" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="download", object_id=str(application.pk)).count() == 1
    assert client.get(f"{INBOX}{other.pk}/attachments/{attachment.id}/").status_code == 404
