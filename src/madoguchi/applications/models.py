"""Applications (申請), their history, drafts (一時保存) and attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.models import TenantOwned


class Status(models.TextChoices):
    RECEIVED = "received", _("受付")
    IN_REVIEW = "in_review", _("審査中")
    CORRECTION_REQUESTED = "correction_requested", _("補正依頼")
    COMPLETED = "completed", _("完了")
    REJECTED = "rejected", _("却下")
    WITHDRAWN = "withdrawn", _("取下げ")


class Channel(models.TextChoices):
    ONLINE = "online", _("オンライン")
    COUNTER = "counter", _("窓口")
    BUNDLE = "bundle", _("外部連携")
    API = "api", _("API")


class Application(TenantOwned):
    receipt_number = models.CharField(_("受付番号"), max_length=20)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="applications")
    # The exact form version the resident answered; never changes after submission.
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="applications"
    )
    channel = models.CharField(_("受付経路"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("状態"), max_length=32, choices=Status.choices, default=Status.RECEIVED
    )
    answers = models.JSONField(_("回答"), default=dict)
    # Denormalised for the staff inbox (search by name/kana) — personal data, never shown publicly.
    applicant_name = models.CharField(_("申請者氏名"), max_length=100, blank=True)
    applicant_kana = models.CharField(_("申請者氏名（カナ）"), max_length=100, blank=True)
    contact_email = models.EmailField(_("連絡先メールアドレス"), blank=True)
    access_code_salt = models.CharField(max_length=32)
    access_code_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(_("申請日時"))
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking for the back office (a second concurrent change is refused).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("申請")
        verbose_name_plural = _("申請")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "receipt_number"], name="application_receipt_unique"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "-submitted_at"]),
            models.Index(fields=["municipality", "procedure", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class ApplicationEvent(models.Model):
    """One line of an application's history; `public_note` is what the resident may see."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("申請を受け付けました")
        STATUS_CHANGED = "status_changed", _("状態が変わりました")
        NOTE = "note", _("メモ")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    from_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    public_note = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("申請履歴")
        verbose_name_plural = _("申請履歴")

    def __str__(self) -> str:
        return f"{self.application} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Draft(TenantOwned):
    """An application in progress; resumed by a secret link (only its hash is stored)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="drafts")
    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="drafts")
    answers = models.JSONField(default=dict)
    completed_steps = models.JSONField(default=list)
    resume_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("一時保存")
        verbose_name_plural = _("一時保存")

    def __str__(self) -> str:
        return f"{self.procedure} ({self.pk})"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Opaque: the resident's file name may itself be personal data.
    return f"attachments/{instance.municipality.code}/{instance.id}"


class Attachment(TenantOwned):
    """A file a resident attached; stored in the private store under an opaque name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    draft = models.ForeignKey(
        Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    field_path = models.CharField(max_length=200)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("添付ファイル")
        verbose_name_plural = _("添付ファイル")

    def __str__(self) -> str:
        return str(self.id)
