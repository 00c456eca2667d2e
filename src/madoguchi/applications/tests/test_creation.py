"""The one creation service: every channel goes through `creation`, with the same row, history
event and attachments; the counter and the batch form (bulk intake) included."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from madoguchi.applications import codes, services
from madoguchi.applications.creation import (
    ApplicantData,
    JsonText,
    NewApplication,
    NewAttachment,
    application_create,
    applications_create_batch,
)
from madoguchi.applications.models import Application, ApplicationEvent, Attachment, Channel
from madoguchi.applications.tests.factories import (
    DEFINITION,
    STORED_ANSWERS,
    VALID_ANSWERS,
    FormVersionFactory,
)

pytestmark = pytest.mark.django_db


def _new(version: Any, **kwargs: Any) -> NewApplication:
    procedure = version.procedure
    values: dict[str, Any] = {
        "municipality_id": procedure.municipality_id,
        "procedure_id": procedure.pk,
        "form_version_id": version.pk,
        "channel": Channel.BUNDLE,
        "answers": STORED_ANSWERS,
        "applicant": ApplicantData(name="山田 花子", kana="ヤマダ ハナコ"),
    }
    values.update(kwargs)
    return NewApplication(**values)


def test_a_counter_application_answers_the_counter_fields_and_records_the_visit(
    django_capture_on_commit_callbacks,
):
    definition = {
        **DEFINITION,
        "steps": [
            {
                **DEFINITION["steps"][0],
                "fields": [
                    *DEFINITION["steps"][0]["fields"],
                    {
                        "key": "verified_with",
                        "type": "choice",
                        "label": "本人確認書類",
                        "required": True,
                        "channels": ["counter"],
                        "options": [
                            {"value": "my_number_card", "label": "マイナンバーカード"},
                            {"value": "license", "label": "運転免許証"},
                        ],
                    },
                ],
            }
        ],
    }
    version = FormVersionFactory(definition=definition)
    procedure = version.procedure

    def submit(answers: dict[str, Any], channel: str, **kwargs: Any) -> Any:
        return services.application_submit(
            municipality=procedure.municipality,
            procedure=procedure,
            form_version=version,
            raw_answers=answers,
            channel=channel,
            **kwargs,
        )

    # Online, the counter-only question is not asked (and not stored).
    online = submit({**VALID_ANSWERS, "verified_with": "license"}, Channel.ONLINE).application
    assert "verified_with" not in online.answers
    # At the counter it is required.
    with pytest.raises(services.SubmissionInvalid) as refused:
        submit(VALID_ANSWERS, Channel.COUNTER, visit_ticket_id=42)
    assert "verified_with" in refused.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(
            {**VALID_ANSWERS, "verified_with": "my_number_card"},
            Channel.COUNTER,
            visit_ticket_id=42,
        )
    application = submitted.application
    assert (application.channel, application.visit_ticket_id) == (Channel.COUNTER, 42)
    assert application.answers["verified_with"] == "my_number_card"
    assert [e.kind for e in application.events.all()] == [ApplicationEvent.Kind.SUBMITTED]
    assert codes.access_code_matches(
        code=submitted.access_code,
        salt=application.access_code_salt,
        stored=application.access_code_hash,
    )
    assert len(mail.outbox) == 1  # the receipt, with the access code, to the resident
    assert submitted.access_code in mail.outbox[0].body


def test_a_given_receipt_number_is_kept_and_unique_per_municipality() -> None:
    version = FormVersionFactory(without_files=True)
    first = application_create(_new(version, receipt_number="PORTAL-0001", note="取込"))
    assert first.receipt_number == "PORTAL-0001"
    assert first.access_code_hash == codes.NO_ACCESS_CODE  # no code: the status page never opens
    assert first.search_key  # the inbox finds it by name
    (event,) = first.events.all()
    assert (event.kind, event.internal_note) == (ApplicationEvent.Kind.SUBMITTED, "取込")
    with pytest.raises(IntegrityError):
        application_create(_new(version, receipt_number="PORTAL-0001"))
    assert Application.objects.count() == 1
    assert len(mail.outbox) == 0  # no access code: no receipt mail


def test_an_unknown_channel_is_refused() -> None:
    version = FormVersionFactory(without_files=True)
    with pytest.raises(ValueError, match="unknown channel"):
        _new(version, channel="fax")


def test_the_batch_form_writes_applications_events_and_attachments() -> None:
    version = FormVersionFactory()
    submitted_at = timezone.now() - timedelta(days=1)
    file_id = uuid.uuid4()
    news = [
        _new(
            version,
            receipt_number=f"B-{i}",
            answers=JsonText('{"name": {"family": "山田"}}') if i == 0 else STORED_ANSWERS,
            submitted_at=submitted_at,
            note="一括",
            attachments=[
                NewAttachment(
                    id=file_id,
                    field_path="id_document",
                    file=f"attachments/x/{file_id}",
                    original_name="免許証.pdf",
                    content_type="application/pdf",
                    size=10,
                    sha256="0" * 64,
                )
            ]
            if i == 1
            else [],
        )
        for i in range(3)
    ]
    ids = applications_create_batch(news)
    applications = {a.pk: a for a in Application.objects.all()}
    assert sorted(ids) == sorted(applications)
    assert [applications[pk].receipt_number for pk in ids] == ["B-0", "B-1", "B-2"]
    assert applications[ids[0]].answers == {"name": {"family": "山田"}}  # JSON text parsed
    assert {a.channel for a in applications.values()} == {Channel.BUNDLE}
    assert {a.submitted_at for a in applications.values()} == {submitted_at}
    events = ApplicationEvent.objects.order_by("application_id")
    assert [(e.application_id, e.internal_note) for e in events] == [(pk, "一括") for pk in ids]
    (attachment,) = Attachment.objects.all()
    assert (attachment.application_id, attachment.field_path) == (ids[1], "id_document")
    assert applications_create_batch([]) == []


def test_the_batch_form_issues_no_access_codes() -> None:
    version = FormVersionFactory(without_files=True)
    with pytest.raises(ValueError):
        applications_create_batch([_new(version, access_code="12345678")])
    assert not Application.objects.exists()
