"""The 補正 loop without a browser: request, the resident's link, resubmission, the diff."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import workflow
from madoguchi.applications.models import Application, Attachment, CorrectionRequest
from madoguchi.applications.selectors import application_public_events, correction_diff
from madoguchi.applications.services import SubmissionInvalid, attachment_store
from madoguchi.applications.tests.factories import ApplicationFactory, FormVersionFactory
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]


@pytest.fixture
def issued():
    application = ApplicationFactory(in_review=True)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    result = workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=1,
        field_keys=["email"],
        message="メールアドレスに誤りがあるようです。",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    return result, manager


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.parametrize(
    ("keys", "message", "days", "field"),
    [
        ([], "直してください", 1, "fields"),
        (["no_such_field"], "直してください", 1, "fields"),
        (["email"], "  ", 1, "message"),
        (["email"], "直してください", -1, "deadline"),
    ],
)
def test_a_request_needs_fields_a_message_and_a_future_deadline(keys, message, days, field):
    application = ApplicationFactory(in_review=True)
    actor = StaffUserFactory(municipality=application.municipality, manager=True)
    with pytest.raises(workflow.WorkflowError) as exc:
        workflow.correction_request(
            application=application,
            actor=actor,
            expected_version=1,
            field_keys=keys,
            message=message,
            deadline=timezone.localdate() + timedelta(days=days),
        )
    assert exc.value.field == field
    assert Application.objects.get(pk=application.pk).status == "in_review"
    assert not CorrectionRequest.objects.exists()


def test_the_resident_edits_only_the_named_field_and_both_versions_stay(client, issued):
    result, manager = issued
    path = _path(result.url)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' in html and 'name="name__family"' not in html
    assert "メールアドレスに誤りがあるようです。" in html
    bad = client.post(path, {"email": "not-an-address", "_action": "submit"})
    assert bad.status_code == 200 and "mg-error" in bad.content.decode()
    assert Application.objects.get(pk=result.application.pk).status == "correction_requested"
    done = client.post(
        path,
        {"email": "ｈａｎａｋｏ２@example.jp", "name__family": "乗っ取り", "_action": "submit"},
    )
    assert done.status_code == 302
    assert "補正を受け付けました" in client.get(done["Location"]).content.decode()
    application = Application.objects.get(pk=result.application.pk)
    assert application.status == "in_review"
    assert application.answers["email"] == "hanako2@example.jp"
    assert application.answers["name"]["family"] == "山田"  # not a named field: unchanged
    correction = CorrectionRequest.objects.get()
    assert correction.answers_before["email"] == "hanako@example.jp"
    assert correction.answers_after["email"] == "hanako2@example.jp"
    diff = correction_diff(correction=correction)
    assert [(d.label, d.before, d.after) for d in diff] == [
        ("メールアドレス", "hanako@example.jp", "hanako2@example.jp")
    ]
    kinds = [e.kind for e in application_public_events(application=application)]
    assert kinds[-2:] == ["status_changed", "resubmitted"]
    # The link works once.
    assert client.get(path).status_code == 404
    client.force_login(manager)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert "hanako@example.jp" in detail and "hanako2@example.jp" in detail and "<del>" in detail


def test_the_link_stops_after_the_deadline_a_decision_or_in_another_town(client, issued):
    result, manager = issued
    path = _path(result.url)
    other_code = MunicipalityFactory().code
    assert (
        client.get(path.replace(result.application.municipality.code, other_code)).status_code
        == 404
    )
    CorrectionRequest.objects.update(deadline=timezone.localdate() - timedelta(days=1))
    assert client.get(path).status_code == 404
    CorrectionRequest.objects.update(deadline=timezone.localdate())
    assert client.get(path).status_code == 200  # the deadline day itself still counts
    workflow.application_transition(
        application=result.application,
        actor=manager,
        to_status="rejected",
        expected_version=result.application.version,
        reason="期限内に補正がなかったため",
    )
    assert CorrectionRequest.objects.get().cancelled_at is not None
    assert client.get(path).status_code == 404
    assert (
        client.get("/" + result.application.municipality.code + "/correction/nonsense/").status_code
        == 404
    )


# --- A refused or broken resubmission leaves no file behind ------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF"


@pytest.fixture(autouse=True)
def _own_private_store(settings, tmp_path):
    """A store for this test alone: counting its files must not see other test processes'."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _stored_files() -> set[Path]:
    root = Path(default_storage.location)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def file_correction():
    """An application whose form has an attachment; the resident is asked to redo it and the
    e-mail address."""
    application = ApplicationFactory(in_review=True, form_version=FormVersionFactory())
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    result = workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=1,
        field_keys=["email", "id_document"],
        message="本人確認書類が読み取れません。",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    return result.correction


def _snapshot(application_pk: int) -> tuple:
    application = Application.objects.get(pk=application_pk)
    return (application.status, application.version, application.answers)


def _held(correction, name="新しい書類.pdf", content_type="application/pdf"):
    """A file the resident attached on the correction form (held, not yet re-sent)."""
    hold = workflow.correction_hold_start(correction=correction)
    reference = attachment_store(
        draft=hold,
        field_path="id_document",
        uploaded=SimpleUploadedFile(name, PDF, content_type),
    )
    workflow.correction_hold_keep(hold=hold, raw_answers={"id_document": reference})
    return reference


def test_a_resubmission_that_fails_validation_leaves_the_held_file_held(file_correction):
    reference = _held(file_correction)
    before_files = _stored_files()
    before = _snapshot(file_correction.application_id)
    with pytest.raises(SubmissionInvalid) as exc:
        workflow.correction_resubmit(
            correction=file_correction,
            new_values={"email": "not-an-address", "id_document": reference},
        )
    assert "email" in exc.value.errors
    assert _stored_files() == before_files
    assert _snapshot(file_correction.application_id) == before
    held = Attachment.objects.get()
    assert held.application is None and held.draft.correction == file_correction
    assert CorrectionRequest.objects.get().is_open


def test_a_resubmission_that_breaks_leaves_the_held_file_held(file_correction, monkeypatch):
    reference = _held(file_correction)
    before = _snapshot(file_correction.application_id)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(workflow, "_set_status", broken)
    with pytest.raises(RuntimeError):
        workflow.correction_resubmit(
            correction=file_correction,
            new_values={"email": "hanako2@example.jp", "id_document": reference},
        )
    assert _snapshot(file_correction.application_id) == before
    held = Attachment.objects.get()
    assert held.application is None and held.draft.correction == file_correction


def test_a_valid_resubmission_takes_over_the_held_file_with_its_real_type(file_correction):
    # The browser's claimed type is not trusted: the content decides.
    reference = _held(file_correction, name="書類.pdf", content_type="application/octet-stream")
    application = workflow.correction_resubmit(
        correction=file_correction,
        new_values={"email": "hanako2@example.jp", "id_document": reference},
    )
    attachment = Attachment.objects.get()
    assert attachment.application == application and attachment.draft is None
    assert attachment.content_type == "application/pdf"
    assert application.answers["id_document"]["attachment"] == str(attachment.pk)
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    # The hold ends with the resubmission (and is cleaned with the expired drafts).
    hold = workflow.correction_hold(correction=file_correction)
    assert hold is not None and hold.answers == {} and hold.expires_at <= timezone.now()


def test_a_resubmission_cannot_take_a_file_held_for_another_application(file_correction):
    other = ApplicationFactory(
        in_review=True, form_version=file_correction.application.form_version
    )
    manager = StaffUserFactory(municipality=other.municipality, manager=True)
    other_correction = workflow.correction_request(
        application=other,
        actor=manager,
        expected_version=1,
        field_keys=["id_document"],
        message="書類を添付してください。",
        deadline=timezone.localdate() + timedelta(days=7),
    ).correction
    foreign = _held(other_correction)
    with pytest.raises(SubmissionInvalid) as exc:
        workflow.correction_resubmit(
            correction=file_correction,
            new_values={"email": "hanako2@example.jp", "id_document": foreign},
        )
    assert "添付ファイルを確認できませんでした" in str(exc.value.errors[""])
    assert Attachment.objects.get().application is None


def _open_status(client, application, code="12345678"):
    return client.post(
        f"/{application.municipality.code}/status/",
        {"receipt_number": application.receipt_number, "access_code": code},
    )


def test_the_status_page_leads_to_the_pending_correction(client, issued):
    result, _manager = issued
    application = result.application
    town = application.municipality.code
    from_status = f"/{town}/correction/from-status/"
    # Without the access code, the status page's way in is closed.
    assert client.get(from_status).status_code == 404
    page = _open_status(client, application).content.decode()
    assert 'id="correction-pending"' in page
    assert "メールアドレスに誤りがあるようです。" in page
    assert from_status in page
    form = client.get(from_status)
    assert form.status_code == 200 and 'name="email"' in form.content.decode()
    done = client.post(from_status, {"email": "hanako3@example.jp", "_action": "submit"})
    assert done.status_code == 302
    assert Application.objects.get(pk=application.pk).answers["email"] == "hanako3@example.jp"
    # Answered: the status page no longer offers it, and the way in is closed.
    assert 'id="correction-pending"' not in _open_status(client, application).content.decode()
    assert client.get(from_status).status_code == 404


def test_another_browser_or_a_wrong_code_does_not_reach_the_correction(client, issued):
    result, _manager = issued
    application = result.application
    page = _open_status(client, application, code="00000000").content.decode()
    assert 'id="correction-pending"' not in page
    assert (
        client.get(f"/{application.municipality.code}/correction/from-status/").status_code == 404
    )


@pytest.mark.parametrize(
    ("language", "start", "fields"),
    [
        ("ja", "補正をお願いします（メールアドレス、生年月日）。期限：", "年"),
        ("en", "Please correct", ", "),
    ],
)
def test_the_public_note_is_in_the_residents_language(language, start, fields):
    application = ApplicationFactory(in_review=True, language=language)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    deadline = timezone.localdate() + timedelta(days=7)
    workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=1,
        field_keys=["email", "birth_date"],
        message="直してください。",
        deadline=deadline,
    )
    note = application_public_events(application=application).last().public_note
    assert note.startswith(start) and fields in note
    assert deadline.isoformat() not in note and note.endswith("直してください。")
