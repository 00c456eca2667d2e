"""Hand-off to core systems (基幹連携): API tokens, CSV export runs and per-application records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import TenantOwned


class Scope(models.TextChoices):
    READ = "applications:read", _("申請の一覧と取得")
    HANDOFF = "applications:handoff", _("連携済の記録")


class ApiToken(TenantOwned):
    """A per-municipality token for the hand-off API; only a hash of the secret is stored.

    The token reads `mgk_<prefix>_<secret>`; the prefix finds the row, the hash proves it.
    """

    name = models.CharField(_("名前"), max_length=80, help_text=_("例：住民記録システム連携"))
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("権限"), default=list)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("連携 API トークン")
        verbose_name_plural = _("連携 API トークン")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ExportRun(TenantOwned):
    """One bulk CSV export of a procedure; the applications it contained point at it."""

    class Encoding(models.TextChoices):
        UTF8_BOM = "utf-8-sig", _("UTF-8（BOM付き・Excel向け）")
        CP932 = "cp932", _("Shift_JIS（cp932）")

    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="export_runs"
    )
    encoding = models.CharField(max_length=16, choices=Encoding.choices)
    only_new = models.BooleanField(default=True)
    substitute = models.BooleanField(default=False)  # 〓 for characters cp932 cannot hold
    count = models.PositiveIntegerField(default=0)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("一括出力")
        verbose_name_plural = _("一括出力")

    def __str__(self) -> str:
        return f"{self.procedure} {self.at:%Y-%m-%d %H:%M}"


class HandoffRecord(models.Model):
    """One hand-off of one application (transcription, RPA or API); CSV uses ExportRun."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="handoffs"
    )
    method = models.CharField(max_length=16)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("基幹連携の記録")
        verbose_name_plural = _("基幹連携の記録")

    def __str__(self) -> str:
        return f"{self.application} {self.method}"
