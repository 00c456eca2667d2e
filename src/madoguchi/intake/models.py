"""External bundle intake: import runs, the applications they created, quarantine, and the
certificate-serial → 宛名番号 linkage table with its import history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.applications.models import Application
from madoguchi.jobs.models import Job
from madoguchi.tenancy.models import TenantOwned


def bundle_path(instance: ImportRun, filename: str) -> str:
    # Opaque: a bundle holds personal data; its original name is kept in `source_name` only.
    return f"intake/{instance.municipality.code}/{instance.sha256[:16]}-{instance.started_at:%Y%m%d%H%M%S%f}"


class ImportRun(TenantOwned):
    """One import of one bundle (from the staff screen or `madoguchi intake import`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("取込待ち")
        RUNNING = "running", _("取込中")
        COMPLETED = "completed", _("完了")
        REFUSED = "refused", _("取込不可")
        FAILED = "failed", _("中断")

    source_name = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    bundle = models.FileField(upload_to=bundle_path, max_length=255, blank=True)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    # Why the whole bundle was refused or the run stopped (Japanese, for the staff screen).
    error = models.TextField(_("理由"), blank=True)
    total = models.PositiveIntegerField(_("申請数"), default=0)
    imported = models.PositiveIntegerField(_("取込"), default=0)
    duplicates = models.PositiveIntegerField(_("取込済み"), default=0)
    rejected = models.PositiveIntegerField(_("保留"), default=0)
    # The per-application error report: [{"receipt_number", "member", "reasons": [...]}], capped.
    rejections = models.JSONField(_("保留の理由"), default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("実行者"),
    )
    started_at = models.DateTimeField(_("開始日時"))
    updated_at = models.DateTimeField(_("更新日時"))
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    # The background job that runs this import (staff uploads); none for the command line.
    job = models.OneToOneField(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_run"
    )

    class Meta:
        verbose_name = _("取込の実行")
        verbose_name_plural = _("取込の実行")
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "-started_at"], name="intake_run_recent_idx")
        ]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.started_at:%Y-%m-%d %H:%M})"


class ImportedApplication(TenantOwned):
    """The intake record of an application that came in a bundle: where from, and who applied.

    Written in the same transaction as the application, so the two exist together or not at all.
    """

    class Match(models.TextChoices):
        MATCHED = "matched", _("照合済み")
        UNMATCHED = "unmatched", _("該当なし")
        NO_CERTIFICATE = "no_certificate", _("証明書なし")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="intake_record"
    )
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="applications", verbose_name=_("取込")
    )
    receipt_number = models.CharField(_("受付番号"), max_length=20)
    # SHA-256 of the manifest: a second import with the same 受付番号 but other content is a
    # conflict (quarantined), the same content is a no-op.
    manifest_sha256 = models.CharField(max_length=64)
    applicant_birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    applicant_address = models.CharField(_("住所"), max_length=300, blank=True)
    certificate_serial = models.CharField(
        _("署名用証明書のシリアル番号"), max_length=64, blank=True
    )
    match = models.CharField(_("本人照合"), max_length=16, choices=Match.choices)
    resident_number = models.CharField(_("宛名番号"), max_length=32, blank=True)
    matched_at = models.DateTimeField(_("照合日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("取り込んだ申請")
        verbose_name_plural = _("取り込んだ申請")
        indexes = [
            models.Index(
                fields=["municipality", "certificate_serial"], name="intake_app_serial_idx"
            ),
            models.Index(fields=["municipality", "receipt_number"], name="intake_app_receipt_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class QuarantineItem(TenantOwned):
    """An application the import refused, with the reasons, kept for review and re-try."""

    class Status(models.TextChoices):
        PENDING = "pending", _("確認待ち")
        IMPORTED = "imported", _("再取込済み")
        DISMISSED = "dismissed", _("対応不要")

    run = models.ForeignKey(
        ImportRun, on_delete=models.CASCADE, related_name="quarantine", verbose_name=_("取込")
    )
    receipt_number = models.CharField(_("受付番号"), max_length=64, blank=True)
    member = models.CharField(_("バンドル内の場所"), max_length=255)
    manifest_sha256 = models.CharField(max_length=64)
    # [{"field": "form_data.birth_date", "message": "…"}]: what to fix, in Japanese.
    reasons = models.JSONField(_("理由"), default=list)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"))
    resolved_at = models.DateTimeField(_("対応日時"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("保留中の申請")
        verbose_name_plural = _("保留中の申請")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["municipality", "status", "-created_at"], name="intake_q_status_idx"
            ),
            models.Index(fields=["municipality", "manifest_sha256"], name="intake_q_sha_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_number or self.member

    @property
    def first_reason(self) -> str:
        return str(self.reasons[0]["message"]) if self.reasons else ""


class LinkageImport(TenantOwned):
    """One import of the linkage CSV from the resident-register system (history)."""

    source_name = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    full_replace = models.BooleanField(_("全件置換"), default=False)
    created = models.PositiveIntegerField(_("追加"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    removed = models.PositiveIntegerField(_("削除"), default=0)
    unchanged = models.PositiveIntegerField(_("変更なし"), default=0)
    matched = models.PositiveIntegerField(_("新たに照合した申請"), default=0)
    # [{"line": 12, "message": "…"}]: rows refused (the rest of the file is applied).
    errors = models.JSONField(_("エラー"), default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("取込日時"))

    class Meta:
        verbose_name = _("紐付け表の取込")
        verbose_name_plural = _("紐付け表の取込")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.at:%Y-%m-%d %H:%M})"


class ResidentLink(TenantOwned):
    """Signing-certificate serial number → 宛名番号 (the resident register's identifier)."""

    certificate_serial = models.CharField(_("署名用証明書のシリアル番号"), max_length=64)
    resident_number = models.CharField(_("宛名番号"), max_length=32)
    updated_at = models.DateTimeField(_("更新日時"))
    source = models.ForeignKey(
        LinkageImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("証明書と宛名番号の紐付け")
        verbose_name_plural = _("証明書と宛名番号の紐付け")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "certificate_serial"], name="intake_link_serial_unique"
            )
        ]

    def __str__(self) -> str:
        return self.certificate_serial
