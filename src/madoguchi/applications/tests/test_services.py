import pytest
from django.core import mail

from madoguchi.applications import selectors, services
from madoguchi.applications.models import Application, ApplicationEvent, Attachment, Status
from madoguchi.applications.tests.factories import VALID_ANSWERS, FormVersionFactory
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def _submit(version, answers, **kwargs):
    procedure = version.procedure
    return services.application_submit(
        municipality=procedure.municipality,
        procedure=procedure,
        form_version=version,
        raw_answers=answers,
        **kwargs,
    )


def test_submission_stores_normalised_answers_history_and_sends_receipt(
    django_capture_on_commit_callbacks,
):
    version = FormVersionFactory(without_files=True)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = _submit(version, VALID_ANSWERS)
    application = submitted.application
    assert application.status == Status.RECEIVED
    assert application.form_version == version
    assert application.answers["birth_date"] == "1975-04-01"
    assert application.answers["name"]["family_kana"] == "ヤマダ"
    assert application.applicant_name == "山田 花子"
    assert application.applicant_kana == "ヤマダ ハナコ"
    assert [e.kind for e in application.events.all()] == [ApplicationEvent.Kind.SUBMITTED]
    # The access code is returned once and stored only as a hash.
    assert submitted.access_code.isdigit() and len(submitted.access_code) == 8
    assert submitted.access_code not in application.access_code_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert application.receipt_number in message.body
    assert submitted.access_code in message.body


def test_invalid_submission_writes_nothing():
    version = FormVersionFactory(without_files=True)
    bad = {**VALID_ANSWERS, "birth_date": "平成元年1月7日", "name": {"family": "山田", "given": ""}}
    with pytest.raises(services.SubmissionInvalid) as exc:
        _submit(version, bad)
    assert "birth_date" in exc.value.errors
    assert any("平成" in m for m in exc.value.errors["birth_date"])
    assert Application.objects.count() == 0
    assert ApplicationEvent.objects.count() == 0


def test_attachment_must_belong_to_the_submitting_draft():
    version = FormVersionFactory()
    draft = services.draft_start(procedure=version.procedure, form_version=version)
    other_draft = services.draft_start(procedure=version.procedure, form_version=version)
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile(
        "id.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF", "application/pdf"
    )
    ref = services.attachment_store(draft=other_draft, field_path="id_document", uploaded=pdf)
    answers = {**VALID_ANSWERS, "id_document": ref}
    with pytest.raises(services.SubmissionInvalid):
        _submit(version, answers, draft=draft)
    assert Application.objects.count() == 0
    # From its own draft the same reference is accepted and moves to the application.
    submitted = _submit(version, answers, draft=other_draft)
    attachment = Attachment.objects.get()
    assert attachment.application == submitted.application
    assert attachment.draft is None
    assert attachment.file.name.endswith(str(attachment.id))  # opaque stored name
    assert "id.pdf" not in attachment.file.name


def test_resident_lookup_needs_the_right_code_and_municipality():
    version = FormVersionFactory(without_files=True)
    submitted = _submit(version, VALID_ANSWERS)
    municipality = version.procedure.municipality
    receipt = submitted.application.receipt_number
    assert selectors.application_for_resident(
        municipality=municipality, receipt_number=receipt, access_code=submitted.access_code
    )
    # 全角 digits and no hyphen are accepted as residents type them.
    wide = receipt.replace("-", "").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert selectors.application_for_resident(
        municipality=municipality, receipt_number=wide, access_code=submitted.access_code
    )
    assert not selectors.application_for_resident(
        municipality=municipality, receipt_number=receipt, access_code="00000000"
    )
    other = MunicipalityFactory()
    assert not selectors.application_for_resident(
        municipality=other, receipt_number=receipt, access_code=submitted.access_code
    )


def test_resume_token_is_secret_and_replaced():
    version = FormVersionFactory(without_files=True)
    draft = services.draft_start(procedure=version.procedure, form_version=version)
    municipality = version.procedure.municipality
    first = services.draft_issue_resume_link(draft=draft, base_url="http://testserver/")
    token = first.rstrip("/").rsplit("/", 1)[-1]
    assert token not in draft.resume_token_hash
    assert selectors.draft_by_resume_token(municipality=municipality, token=token) == draft
    second = services.draft_issue_resume_link(draft=draft, base_url="http://testserver/")
    assert second != first
    assert selectors.draft_by_resume_token(municipality=municipality, token=token) is None
    assert (
        selectors.draft_by_resume_token(
            municipality=MunicipalityFactory(), token=second.rstrip("/").rsplit("/", 1)[-1]
        )
        is None
    )


def test_a_failure_mid_submission_leaves_nothing_half_written(monkeypatch):
    """The history row fails after the application row was inserted: both are rolled back,
    the draft and its attachment stay as they were, and a retry succeeds."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    version = FormVersionFactory()
    draft = services.draft_start(procedure=version.procedure, form_version=version)
    pdf = SimpleUploadedFile("id.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF", "application/pdf")
    ref = services.attachment_store(draft=draft, field_path="id_document", uploaded=pdf)
    answers = {**VALID_ANSWERS, "id_document": ref}

    def broken_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ApplicationEvent.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        _submit(version, answers, draft=draft)
    assert Application.objects.count() == 0
    attachment = Attachment.objects.get()
    assert attachment.draft_id == draft.pk and attachment.application_id is None
    monkeypatch.undo()
    submitted = _submit(version, answers, draft=draft)
    assert Attachment.objects.get().application == submitted.application


@pytest.mark.parametrize(
    ("active", "channel", "stored"),
    [
        ("en", "online", "en"),
        ("ja", "online", "ja"),
        ("en-us", "online", "en"),
        ("en", "counter", "ja"),
    ],
)
def test_the_application_keeps_the_language_the_resident_applied_in(active, channel, stored):
    from django.utils import translation

    version = FormVersionFactory(without_files=True)
    with translation.override(active):
        submitted = _submit(version, VALID_ANSWERS, channel=channel)
    assert Application.objects.get(pk=submitted.application.pk).language == stored
