"""Writes for applications: drafts, attachments and submission (one transaction each)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext as _

from madoguchi.core import uploads
from madoguchi.notifications.services import notification_queue
from madoguchi.procedures.formdef import extract_applicant, validate_answers
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.procedures.selectors import form_version_definition
from madoguchi.tenancy.models import Municipality

from . import codes
from .models import Application, ApplicationEvent, Attachment, Channel, Draft, Status
from .search import search_key_for
from .selectors import attachment_ids_in

DRAFT_LIFETIME = timedelta(days=30)

# The mails this module queues (rendered at send time by notices.py).
RECEIPT = "applications/receipt"
RESUME = "applications/resume"


class SubmissionInvalid(Exception):
    """The answers do not pass validation; `errors` maps field paths to Japanese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid submission")
        self.errors = errors


@dataclass(frozen=True)
class Submitted:
    application: Application
    access_code: str  # shown to the resident once; only its hash is stored


def draft_start(*, procedure: Procedure, form_version: FormVersion) -> Draft:
    return Draft.objects.create(
        municipality=procedure.municipality,
        procedure=procedure,
        form_version=form_version,
        expires_at=timezone.now() + DRAFT_LIFETIME,
    )


def draft_save_step(*, draft: Draft, step_key: str, step_answers: dict[str, Any]) -> Draft:
    draft.answers = {**draft.answers, **step_answers}
    if step_key not in draft.completed_steps:
        draft.completed_steps = [*draft.completed_steps, step_key]
    draft.expires_at = timezone.now() + DRAFT_LIFETIME
    draft.save(update_fields=["answers", "completed_steps", "expires_at", "updated_at"])
    return draft


def draft_issue_resume_link(*, draft: Draft, base_url: str, email: str = "") -> str:
    """A new secret resume link (any older link stops working); optionally e-mailed."""
    from django.urls import reverse

    token = codes.new_resume_token()
    draft.resume_token_hash = codes.hash_secret(token)
    draft.save(update_fields=["resume_token_hash", "updated_at"])
    url = base_url.rstrip("/") + reverse(
        "applications:resume",
        kwargs={"municipality_code": draft.municipality.code, "token": token},
    )
    if email:
        notification_queue(
            municipality=draft.municipality,
            template=RESUME,
            reference=draft.pk,
            language=_active_language(),
            sealed={"to": email, "url": url},
        )
    return url


def attachment_store(*, draft: Draft, field_path: str, uploaded: UploadedFile) -> dict[str, Any]:
    """Store an already validated upload for a draft; returns the reference kept in answers."""
    prepared = _prepare(
        Attachment(municipality=draft.municipality, draft=draft), field_path, uploaded
    )
    attachment_save(prepared)
    return prepared.reference


@dataclass(frozen=True)
class PreparedAttachment:
    """An upload described (id, name, type, size, digest) but not yet written anywhere.

    Its `reference` is exactly what the answers will hold once it is saved, so the answers can be
    validated before a byte reaches the file store.
    """

    attachment: Attachment
    uploaded: UploadedFile

    @property
    def reference(self) -> dict[str, Any]:
        return {
            "attachment": str(self.attachment.id),
            "name": self.attachment.original_name,
            "size": self.attachment.size,
            "content_type": self.attachment.content_type,
        }


def attachment_prepare_for_application(
    *, application: Application, field_path: str, uploaded: UploadedFile
) -> PreparedAttachment:
    """Describe a validated upload for an application (a 補正 resubmission); nothing is stored."""
    return _prepare(
        Attachment(municipality=application.municipality, application=application),
        field_path,
        uploaded,
    )


def attachment_save(prepared: PreparedAttachment) -> Attachment:
    """Write the file and its row; if the row cannot be written, the file is removed again."""
    attachment = prepared.attachment
    attachment.file.save(str(attachment.id), prepared.uploaded, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment_files_discard([attachment])
        raise
    return attachment


def attachment_files_discard(attachments: Iterable[Attachment]) -> None:
    """Remove the stored files of attachments whose rows are being rolled back.

    Django has no "on rollback" hook: callers that write files inside a transaction call this
    when the transaction fails, so no orphan file stays in the private store.
    """
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)


def _prepare(attachment: Attachment, field_path: str, uploaded: UploadedFile) -> PreparedAttachment:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    # The type the content really has (checked by the form), not the one the browser claimed.
    sniffed = uploads.sniff_file(uploaded)
    attachment.field_path = field_path
    attachment.original_name = (uploaded.name or "file")[:255]
    attachment.content_type = (
        sniffed.mime if sniffed else (uploaded.content_type or "application/octet-stream")
    )
    attachment.size = uploaded.size or 0
    attachment.sha256 = digest.hexdigest()
    return PreparedAttachment(attachment=attachment, uploaded=uploaded)


def _active_language() -> str:
    """The active language if the site offers it (en-us → en), else the default."""
    try:
        return get_supported_language_variant(get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def application_submit(
    *,
    municipality: Municipality,
    procedure: Procedure,
    form_version: FormVersion,
    raw_answers: dict[str, Any],
    channel: str = Channel.ONLINE,
    draft: Draft | None = None,
) -> Submitted:
    """Validate everything again and store the application, all or nothing.

    Attachments may only come from this submission's own draft; the draft is consumed.
    """
    if procedure.municipality_id != municipality.pk or form_version.procedure_id != procedure.pk:
        raise SubmissionInvalid({"": [_("手続が見つかりません。")]})
    definition = form_version_definition(form_version=form_version)
    answers, errors = validate_answers(definition, raw_answers)
    referenced = attachment_ids_in(answers)
    owned: set[str] = set()
    if draft is not None and referenced:
        owned = {
            str(pk)
            for pk in Attachment.objects.filter(
                draft=draft, municipality=municipality, application__isnull=True
            ).values_list("pk", flat=True)
        }
    if set(referenced) - owned:
        errors.setdefault("", []).append(
            _("添付ファイルを確認できませんでした。もう一度添付してください。")
        )
    if errors:
        raise SubmissionInvalid(errors)

    applicant = extract_applicant(definition, answers)
    # Staff fill in counter applications: their screen's language is not the resident's.
    language = _active_language() if channel == Channel.ONLINE else settings.LANGUAGE_CODE
    access_code = codes.new_access_code()
    salt = codes.new_salt()
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    municipality=municipality,
                    receipt_number=codes.new_receipt_number(timezone.localdate(now)),
                    procedure=procedure,
                    form_version=form_version,
                    channel=channel,
                    status=Status.RECEIVED,
                    answers=answers,
                    applicant_name=(applicant.name or "")[:100],
                    applicant_kana=(applicant.name_kana or "")[:100],
                    contact_email=applicant.email or "",
                    language=language,
                    search_key=search_key_for(name=applicant.name, kana=applicant.name_kana),
                    access_code_salt=salt,
                    access_code_hash=codes.hash_secret(access_code, salt),
                    submitted_at=now,
                )
                ApplicationEvent.objects.create(
                    application=application,
                    kind=ApplicationEvent.Kind.SUBMITTED,
                    to_status=Status.RECEIVED,
                    at=now,
                )
                if referenced:
                    Attachment.objects.filter(pk__in=referenced).update(
                        application=application, draft=None
                    )
                if draft is not None:
                    draft.delete()
                if application.contact_email:
                    notification_queue(
                        municipality=municipality,
                        template=RECEIPT,
                        reference=application.pk,
                        language=language,
                        sealed={"access_code": access_code},
                    )
            return Submitted(application=application, access_code=access_code)
        except IntegrityError:
            # A receipt number collision (1 in a million per day): draw again.
            continue
    raise ValidationError(_("受付番号を発行できませんでした。もう一度お試しください。"))
