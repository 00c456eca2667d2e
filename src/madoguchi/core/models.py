"""The audit record: who looked at or handed off whose data, and when.

A row names the staff member, the action and the object by type and id — never the personal
data itself, so the audit record can be kept longer than the data and read by a manager.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("閲覧")
    LIST = "list", _("一覧の表示")
    DOWNLOAD = "download", _("添付ファイルのダウンロード")
    TRANSCRIPTION = "transcription", _("転記画面の表示")
    RPA = "rpa", _("RPA 画面の表示")
    API_FETCH = "api_fetch", _("API での取得")
    EXPORT = "export", _("一括出力")
    PURGE = "purge", _("保存期間経過による削除")
    PAYMENT = "payment", _("手数料の支払の記録")
    WITHDRAW_ADOPTION = "withdraw_adoption", _("共有手続の採用の取りやめ")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("日時"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("職員"),
    )
    # Kept when the account is deleted; a staff login name, not a resident's data.
    actor_label = models.CharField(_("操作者"), max_length=150)
    municipality = models.ForeignKey(
        "tenancy.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("自治体"),
    )
    action = models.CharField(_("操作"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("対象の種類"), max_length=64)
    object_id = models.CharField(_("対象の ID"), max_length=64)
    # How many objects an action touched (an export, a page of a list), else 1.
    count = models.PositiveIntegerField(default=1)
    # The staff page (URL name) that showed the data, and for a list the search that was run:
    # who looked for whom is part of the record, so it is kept here and never in URLs or logs.
    view = models.CharField(_("画面"), max_length=100, blank=True, default="")
    search = models.JSONField(_("検索条件"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("操作記録")
        verbose_name_plural = _("操作記録")
        indexes = [
            models.Index(fields=["municipality", "-at"], name="audit_municipality_at_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
