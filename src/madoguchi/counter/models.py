"""書かない窓口: the counter's own rows — print layouts (official forms as PDF) and pre-input."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.models import TenantOwned


def base_pdf_path(instance: PrintLayout, filename: str) -> str:
    # Opaque, one name per upload: a replaced form never overwrites the one being printed.
    return f"print-layouts/{instance.municipality.code}/{uuid.uuid4().hex}.pdf"


class PrintLayout(TenantOwned):
    """How a procedure's official form is printed. Without a row, the generated A4 layout."""

    class Kind(models.TextChoices):
        GENERATED = "generated", _("自動作成の様式（A4）")
        OVERLAY = "overlay", _("自治体の様式PDFに印字")

    procedure = models.OneToOneField(
        Procedure, on_delete=models.CASCADE, related_name="print_layout", verbose_name=_("手続")
    )
    kind = models.CharField(
        _("印刷様式の種類"), max_length=16, choices=Kind.choices, default=Kind.GENERATED
    )
    placements = models.JSONField(
        _("印字位置"),
        default=dict,
        blank=True,
        help_text=_("項目ごとのページ・位置（mm）・文字の大きさ（docs/official-forms.md）"),
    )
    base_pdf = models.FileField(_("様式のPDF"), upload_to=base_pdf_path, max_length=255, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("印刷様式")
        verbose_name_plural = _("印刷様式")
        permissions = [("print_application", _("申請書を印刷する"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["generated", "overlay"]),
                name="print_layout_known_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.get_kind_display()})"


class PreInputMode(models.TextChoices):
    TOKEN = "token", _("トークン方式（入力内容はサーバーに保存）")
    PAYLOAD = "payload", _("データ方式（入力内容を暗号化してQRコードに格納）")


class PreInputSetting(TenantOwned):
    """Each municipality's choice of mode; a municipality without a row uses the token mode."""

    mode = models.CharField(
        _("事前入力の方式"), max_length=16, choices=PreInputMode.choices, default=PreInputMode.TOKEN
    )
    lifetime_days = models.PositiveSmallIntegerField(
        _("有効期間（日）"), default=14, help_text=_("QRコードを窓口で使える日数")
    )

    class Meta:
        verbose_name = _("事前入力の設定")
        verbose_name_plural = _("事前入力の設定")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="preinput_setting_one_per_town"),
            models.CheckConstraint(
                condition=models.Q(lifetime_days__gte=1, lifetime_days__lte=90),
                name="preinput_setting_lifetime_1_90",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.mode}"


class PreInput(TenantOwned):
    """Token mode: the answers wait on the server; the QR code carries only the token.

    Only a keyed hash of the token is stored. Consumed at the counter (answers emptied), deleted
    by the resident, or removed after it expires (`preinput_prune`).
    """

    token_hash = models.CharField(max_length=64, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("事前入力")
        verbose_name_plural = _("事前入力")
        indexes = [models.Index(fields=["expires_at"], name="preinput_expires_idx")]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.pk})"


class PreInputRedemption(TenantOwned):
    """A pre-input the counter has taken in (either mode): a second scan of it is refused.

    For the payload mode this is the only server-side trace (a digest of the message id; no answers).
    """

    digest = models.CharField(max_length=64)
    mode = models.CharField(max_length=16, choices=PreInputMode.choices)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    redeemed_at = models.DateTimeField(auto_now_add=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("事前入力の読取")
        verbose_name_plural = _("事前入力の読取")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "digest"], name="preinput_redeemed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.redeemed_at:%Y-%m-%d %H:%M}"
