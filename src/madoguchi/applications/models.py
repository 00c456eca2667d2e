"""Applications (申請), their history, drafts (一時保存) and attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import StaffDepartment  # moved to accounts; kept importable
from madoguchi.core.localized_text import localized
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.models import TenantOwned


class Status(models.TextChoices):
    RECEIVED = "received", _("受付")
    IN_REVIEW = "in_review", _("審査中")
    CORRECTION_REQUESTED = "correction_requested", _("補正依頼")
    COMPLETED = "completed", _("完了")
    REJECTED = "rejected", _("却下")
    WITHDRAWN = "withdrawn", _("取下げ")


# Where an application's processing ends (完了 / 却下 / 取下げ).
CLOSED_STATUSES = frozenset({Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN})
# Still being processed (the inbox's open work and the insights' backlog).
OPEN_STATUSES = (Status.RECEIVED, Status.IN_REVIEW, Status.CORRECTION_REQUESTED)


class Channel(models.TextChoices):
    ONLINE = "online", _("オンライン")
    COUNTER = "counter", _("窓口")
    BUNDLE = "bundle", _("外部連携")
    API = "api", _("API")


class HandoffMethod(models.TextChoices):
    """The four hand-off methods of the national standard spec for 申請管理システム."""

    TRANSCRIPTION = "transcription", _("転記画面")
    RPA = "rpa", _("RPA")
    API = "api", _("API")
    CSV = "csv", _("一括ファイル")


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
    # The language the resident applied in: mails about the application are written in it.
    language = models.CharField(_("連絡の言語"), max_length=8, default="ja")
    # They read やさしい日本語 (a reading mode of Japanese): staff's notes written in it go into
    # their mails.
    easy_japanese = models.BooleanField(_("やさしい日本語で読む"), default=False)
    access_code_salt = models.CharField(max_length=32)
    access_code_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(_("申請日時"))
    updated_at = models.DateTimeField(auto_now=True)
    # The 標準処理期間's last working day (deadlines.py); none when the procedure states no period.
    due_on = models.DateField(_("処理期限"), null=True, blank=True, db_index=True)
    # Optimistic locking for the back office (a second concurrent change is refused).
    version = models.PositiveIntegerField(default=1)
    # --- Back office (see workflow.py) ---
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("担当者"),
    )
    # Name and kana folded for the inbox search (全角/半角, ひらがな/カタカナ, spaces removed).
    search_key = models.CharField(max_length=200, blank=True, editable=False)
    # When it reached 完了 / 却下 / 取下げ: the start of its retention period.
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    # 連携済: the first hand-off to a core system (each one is in HandoffRecord / ExportRun).
    handed_off_at = models.DateTimeField(_("基幹連携日時"), null=True, blank=True)
    handoff_method = models.CharField(
        _("連携方法"), max_length=16, choices=HandoffMethod.choices, blank=True
    )
    export_run = models.ForeignKey(
        "applications.ExportRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("一括出力"),
    )
    # Personal data removed after the retention period; the row stays for statistics.
    purged_at = models.DateTimeField(_("個人情報の削除日時"), null=True, blank=True)
    # API submissions sent with an Idempotency-Key: its keyed hash (unique per municipality, so a
    # retried or parallel request finds this application) and the keyed hash of the request body
    # (a key reused for another body is refused).
    idempotency_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    request_digest = models.CharField(max_length=64, blank=True, editable=False)
    # A counter application: the visit (reservations' ticket) it was made at. An id, not a
    # foreign key: applications sit below reservations in the layers.
    visit_ticket_id = models.PositiveBigIntegerField(_("来庁受付番号"), null=True, blank=True)

    class Meta:
        verbose_name = _("申請")
        verbose_name_plural = _("申請")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "receipt_number"], name="application_receipt_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key_hash"],
                condition=~models.Q(idempotency_key_hash=""),
                name="application_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "-submitted_at"]),
            models.Index(fields=["municipality", "procedure", "-submitted_at"]),
            models.Index(
                fields=["municipality", "-submitted_at"], name="application_inbox_recent_idx"
            ),
            models.Index(
                fields=["municipality", "assignee", "-submitted_at"],
                name="application_inbox_assignee_idx",
            ),
            models.Index(
                fields=["municipality", "procedure", "handed_off_at"],
                name="application_handoff_idx",
            ),
            models.Index(
                fields=["municipality", "procedure", "export_run"],
                name="application_export_idx",
            ),
            # The insights: applications completed in a period, and the open ones (backlog).
            models.Index(fields=["municipality", "closed_at"], name="application_closed_idx"),
            # Open ones: closed_at is set exactly when a final status is reached (workflow),
            # and a condition without parameters is one SQLite can match to a query.
            models.Index(
                fields=["municipality", "status", "procedure"],
                condition=models.Q(closed_at__isnull=True),
                name="application_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class ApplicationEvent(models.Model):
    """One line of an application's history; `public_note` is what the resident may see."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("申請を受け付けました")
        STATUS_CHANGED = "status_changed", _("状態が変わりました")
        NOTE = "note", _("メモ")
        ASSIGNED = "assigned", _("担当者が変わりました")
        RESUBMITTED = "resubmitted", _("補正後の内容が提出されました")
        HANDED_OFF = "handed_off", _("基幹システムへ連携しました")
        PURGED = "purged", _("保存期間が過ぎたため個人情報を削除しました")

    # What the resident's status page shows (notes and internal steps stay internal).
    PUBLIC_KINDS = (Kind.SUBMITTED, Kind.STATUS_CHANGED, Kind.RESUBMITTED)

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    from_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    public_note = models.TextField(blank=True)
    # The same note in やさしい日本語 (optional): what a resident who reads it sees instead.
    public_note_easy = models.TextField(blank=True)
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

    def note_for(self, *, language: str, easy: bool) -> str:
        """The note as a resident reading `language` sees it (its やさしい日本語 version when
        they chose that and staff wrote one): the rule of core/localized_text.py."""
        return localized(self, "public_note", language, easy=easy).text


class Draft(TenantOwned):
    """An application in progress; resumed by a secret link (only its hash is stored).

    Once submitted, the row stays until it expires, emptied, pointing at its application: a
    repeated or parallel submission (double click, Back button) finds it and shows that
    receipt instead of creating a second application.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="drafts")
    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="drafts")
    answers = models.JSONField(default=dict)
    completed_steps = models.JSONField(default=list)
    resume_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    submitted_application = models.OneToOneField(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Set for the hold of a 補正: what the resident sent on the correction form (files stored at
    # once, answers as typed) before re-sending it. Never part of the application until then.
    correction = models.OneToOneField(
        "CorrectionRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="hold"
    )

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


class CorrectionRequest(TenantOwned):
    """A 補正依頼: the fields to correct, a deadline and a secret link (only its hash is kept).

    Both versions of the answers stay here, so the history can show what the resident changed.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="corrections"
    )
    field_keys = models.JSONField(_("補正する項目"), default=list)
    message = models.TextField(_("補正の内容"))
    deadline = models.DateField(_("補正の期限"))
    token_hash = models.CharField(max_length=64, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("依頼日時"))
    answers_before = models.JSONField(default=dict)
    answers_after = models.JSONField(null=True, blank=True)
    resubmitted_at = models.DateTimeField(_("再提出日時"), null=True, blank=True)
    # Closed without a resubmission (staff moved on, or the application ended).
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("補正依頼")
        verbose_name_plural = _("補正依頼")

    def __str__(self) -> str:
        return f"{self.application} {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.resubmitted_at is None and self.cancelled_at is None


class RetentionPolicy(TenantOwned):
    """How long an ended application's personal data is kept, per procedure."""

    procedure = models.OneToOneField(
        Procedure, on_delete=models.CASCADE, related_name="retention", verbose_name=_("手続")
    )
    retention_days = models.PositiveIntegerField(
        _("保存期間（日）"), help_text=_("完了・却下・取下げの日から数えます。例：5年なら1825")
    )

    class Meta:
        verbose_name = _("保存期間")
        verbose_name_plural = _("保存期間")

    def __str__(self) -> str:
        return f"{self.procedure} {self.retention_days}"


from .handoff.models import ApiToken, ExportRun, HandoffRecord  # noqa: E402
from .payments.models import Payment, PaymentEvent, PaymentStatus  # noqa: E402

__all__ = [
    "ApiToken",
    "Application",
    "ApplicationEvent",
    "Attachment",
    "Channel",
    "CorrectionRequest",
    "Draft",
    "ExportRun",
    "HandoffMethod",
    "HandoffRecord",
    "Payment",
    "PaymentEvent",
    "PaymentStatus",
    "RetentionPolicy",
    "StaffDepartment",
    "Status",
]
