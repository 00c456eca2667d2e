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
from .creation import RECEIPT as RECEIPT
from .creation import ApplicantData, NewApplication, application_create
from .models import Application, Attachment, Channel, Draft
from .selectors import attachment_ids_in

DRAFT_LIFETIME = timedelta(days=30)

# The mails this module queues (rendered at send time by notices.py); RECEIPT (imported from
# creation) is queued with every new application that has an access code.
RESUME = "applications/resume"


class SubmissionInvalid(Exception):
    """The answers do not pass validation; `errors` maps field paths to Japanese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid submission")
        self.errors = errors


class IdempotencyKeyReused(Exception):
    """An Idempotency-Key already used for a different request."""


@dataclass(frozen=True)
class Idempotency:
    """An API client's Idempotency-Key and the digest of the request it came with."""

    key: str
    digest: str


@dataclass(frozen=True)
class Submitted:
    application: Application
    # Shown to the resident once; only its hash is stored. Empty when `replayed` from a draft:
    # the first request's page showed it, and it cannot be recovered.
    access_code: str
    # True when this submission had already been made (a repeat or parallel request): nothing
    # new was stored or mailed.
    replayed: bool = False


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


def draft_save_unfinished_step(
    *, draft: Draft, step_key: str, raw_answers: dict[str, Any]
) -> Draft:
    """Keep what was typed on a step, unvalidated ("保存して中断する" with errors, a failed
    "次へ", a button that changes the form): the step counts as not done, and its answers are
    validated again when it is shown next and when the application is submitted."""
    draft.answers = {**draft.answers, **raw_answers}
    draft.completed_steps = [s for s in draft.completed_steps if s != step_key]
    draft.expires_at = timezone.now() + DRAFT_LIFETIME
    draft.save(update_fields=["answers", "completed_steps", "expires_at", "updated_at"])
    return draft


@dataclass(frozen=True)
class ResumeLink:
    url: str
    # An earlier link of this draft stopped working (a new one had to be issued).
    replaced: bool = False


def _resume_url(draft: Draft, base_url: str, token: str) -> str:
    from django.urls import reverse

    return base_url.rstrip("/") + reverse(
        "applications:resume",
        kwargs={"municipality_code": draft.municipality.code, "token": token},
    )


def resume_link_token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def draft_resume_link(*, draft: Draft, base_url: str, known_url: str | None = None) -> ResumeLink:
    """The draft's resume link: `known_url` (the one this browser was shown or came by) while
    it still opens this draft, else a new one.

    A draft has one link, valid until the draft expires: saving again, or asking for it by
    e-mail, does not make a link the resident holds stop working. Only when the browser knows
    no working link is a new one issued, and then an older one stops working (`replaced`).
    """
    known_token = resume_link_token(known_url) if known_url else ""
    if draft.resume_token_hash and draft.resume_token_hash in codes.token_hashes(known_token):
        return ResumeLink(url=known_url or "")
    replaced = bool(draft.resume_token_hash)
    token = codes.new_resume_token()
    draft.resume_token_hash = codes.hash_secret(token)
    draft.save(update_fields=["resume_token_hash", "updated_at"])
    return ResumeLink(url=_resume_url(draft, base_url, token), replaced=replaced)


def draft_resume_link_mail(*, draft: Draft, url: str, email: str) -> None:
    """Mail the resume link the resident was shown (the same link: both keep working)."""
    notification_queue(
        municipality=draft.municipality,
        template=RESUME,
        reference=draft.pk,
        language=_active_language(),
        sealed={"to": email, "url": url},
    )


def draft_issue_resume_link(*, draft: Draft, base_url: str, email: str = "") -> str:
    """A new secret resume link (any older link stops working); optionally e-mailed."""
    token = codes.new_resume_token()
    draft.resume_token_hash = codes.hash_secret(token)
    draft.save(update_fields=["resume_token_hash", "updated_at"])
    url = _resume_url(draft, base_url, token)
    if email:
        draft_resume_link_mail(draft=draft, url=url, email=email)
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
    raw_answers: dict[str, Any] | None = None,
    channel: str = Channel.ONLINE,
    draft: Draft | None = None,
    idempotency: Idempotency | None = None,
    visit_ticket_id: int | None = None,
    note: str = "",
    easy_japanese: bool = False,
) -> Submitted:
    """Validate everything again and store the application, all or nothing.

    From a draft, the answers are (unless given) the draft's own, read under a lock on its row
    inside the transaction (select_for_update on PostgreSQL; SQLite's IMMEDIATE transactions serialise
    writers): a draft becomes exactly one application however many requests submit it at
    once, and the others get that application back (`replayed`, without the access code,
    which exists only as a hash). Attachments may only come from this submission's own draft.

    The application itself is written by `creation.application_create`, the one creation path
    of every channel; `channel` is online, api or counter (with the visit's `visit_ticket_id`
    and an internal `note` on its first history event, e.g. which identity document was seen).

    With `idempotency` (an API client's Idempotency-Key), a retry of the same request gets the
    first application back, with its access code (derived from the key); the same key with
    another body is refused with `IdempotencyKeyReused`.
    """
    if procedure.municipality_id != municipality.pk or form_version.procedure_id != procedure.pk:
        raise SubmissionInvalid({"": [_("手続が見つかりません。")]})
    definition = form_version_definition(form_version=form_version)
    # Staff fill in counter applications: their screen's language is not the resident's.
    language = _active_language() if channel == Channel.ONLINE else settings.LANGUAGE_CODE
    if idempotency is not None:
        key_hash = codes.idempotency_key_hash(
            municipality_code=municipality.code, key=idempotency.key
        )
        access_code = codes.access_code_for_idempotency_key(
            municipality_code=municipality.code, key=idempotency.key
        )
    else:
        key_hash = ""
        access_code = codes.new_access_code()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                answers_in = raw_answers
                if draft is not None:
                    locked = _draft_locked(draft)
                    if locked.submitted_application_id is not None:
                        first = Application.objects.get(pk=locked.submitted_application_id)
                        return Submitted(first, "", replayed=True)
                    if answers_in is None:
                        answers_in = locked.answers
                if idempotency is not None:
                    earlier = _idempotent_earlier(municipality, key_hash, idempotency)
                    if earlier is not None:
                        return Submitted(earlier, access_code, replayed=True)
                answers, referenced = _validated(
                    municipality, definition, answers_in or {}, draft, channel=channel
                )
                applicant = extract_applicant(definition, answers)
                application = application_create(
                    NewApplication(
                        municipality_id=municipality.pk,
                        procedure_id=procedure.pk,
                        form_version_id=form_version.pk,
                        channel=channel,
                        answers=answers,
                        applicant=ApplicantData(
                            name=applicant.name, kana=applicant.name_kana, email=applicant.email
                        ),
                        access_code=access_code,
                        language=language,
                        easy_japanese=easy_japanese and language == settings.LANGUAGE_CODE,
                        idempotency_key_hash=key_hash,
                        request_digest=idempotency.digest if idempotency else "",
                        visit_ticket_id=visit_ticket_id,
                        note=note,
                        linked_attachment_ids=tuple(referenced),
                    )
                )
                if draft is not None:
                    # Kept, emptied, until it expires: a repeat finds the application.
                    Draft.objects.filter(pk=draft.pk).update(
                        submitted_application=application,
                        answers={},
                        completed_steps=[],
                        updated_at=application.submitted_at,
                    )
            return Submitted(application=application, access_code=access_code)
        except IntegrityError:
            # A receipt number collision (1 in a million per day), or a parallel request with
            # the same Idempotency-Key that committed first (found on the next attempt).
            continue
    raise ValidationError(_("受付番号を発行できませんでした。もう一度お試しください。"))


def _draft_locked(draft: Draft) -> Draft:
    locked = (
        # No join here: on PostgreSQL a row re-read after waiting for the lock would come with
        # the joined application as of the statement's start (not yet there).
        Draft.objects.select_for_update()
        .filter(pk=draft.pk, municipality_id=draft.municipality_id)
        .first()
    )
    if locked is None:  # expired and purged meanwhile
        raise SubmissionInvalid(
            {
                "": [
                    _(
                        "入力の途中の内容が見つかりませんでした。お手数ですが、最初から入力してください。"
                    )
                ]
            }
        )
    return locked


def _idempotent_earlier(
    municipality: Municipality, key_hash: str, idempotency: Idempotency
) -> Application | None:
    earlier = (
        Application.objects.for_municipality(municipality)
        .filter(idempotency_key_hash=key_hash)
        .first()
    )
    if earlier is not None and earlier.request_digest != idempotency.digest:
        raise IdempotencyKeyReused
    return earlier


def _validated(
    municipality: Municipality,
    definition: Any,
    raw_answers: dict[str, Any],
    draft: Draft | None,
    *,
    channel: str,
) -> tuple[dict[str, Any], list[str]]:
    """The cleaned answers and the attachments they reference, or SubmissionInvalid.

    A counter application answers the fields of the form's "counter" channel; the online
    journey and the API those of "online".
    """
    form_channel = "counter" if channel == Channel.COUNTER else "online"
    answers, errors = validate_answers(definition, raw_answers, channel=form_channel)
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
    return answers, referenced
