"""書かない窓口: the print layout of each procedure (official forms as PDF)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import Procedure
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
