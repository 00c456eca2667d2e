"""Shared procedures: a prefecture (or the national standard library) publishes versioned
procedures; a municipality adopts one, overrides a few things locally, and takes each new
version when it chooses.

The adopter's `Procedure` (procedures app) is built from the taken version's data with the local
overrides applied on top (catalogue/sharing/services.py), so residents, the back office and the
form engine see an ordinary procedure; its form versions stay immutable as always.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Prefecture, TenantOwned


class SharedProcedure(models.Model):
    """A procedure offered to municipalities: a prefecture's, or national (no prefecture)."""

    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shared_procedures",
        verbose_name=_("都道府県"),
        help_text=_("空欄なら全国共通（Madoguchi の標準ライブラリ）"),
    )
    slug = models.SlugField(_("識別名"), max_length=80)
    name = models.CharField(_("手続名"), max_length=120)
    standard_code = models.CharField(_("標準手続コード"), max_length=80, blank=True)
    is_active = models.BooleanField(_("提供中"), default=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        ordering = ["prefecture_id", "name"]
        verbose_name = _("共通手続")
        verbose_name_plural = _("共通手続")
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "slug"],
                condition=models.Q(prefecture__isnull=False),
                name="shared_procedure_unique_slug_per_prefecture",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(prefecture__isnull=True),
                name="shared_procedure_unique_national_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> SharedProcedureVersion | None:
        return self.versions.order_by("-number").first()


class SharedProcedureVersionQuerySet(models.QuerySet["SharedProcedureVersion"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Shared procedure versions are immutable; publish a new version instead.")


class SharedProcedureVersion(models.Model):
    """One published, immutable version: the procedure in the import format, form included."""

    shared = models.ForeignKey(
        SharedProcedure,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("共通手続"),
    )
    number = models.PositiveIntegerField(_("版"))
    data = models.JSONField(_("手続データ"))
    note = models.CharField(_("変更の説明"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("公開日時"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公開した人"),
    )

    objects = SharedProcedureVersionQuerySet.as_manager()

    class Meta:
        ordering = ["shared", "-number"]
        verbose_name = _("共通手続の版")
        verbose_name_plural = _("共通手続の版")
        constraints = [
            models.UniqueConstraint(
                fields=["shared", "number"], name="shared_procedure_version_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="shared_procedure_version_number_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shared} 第{self.number}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Adopters compare against the exact version they took: never rewrite one.
        if not self._state.adding:
            raise TypeError("Shared procedure versions are immutable; publish a new version.")
        super().save(*args, **kwargs)


class ProcedureAdoption(TenantOwned):
    """A municipality uses a shared procedure: which version it took, and what it overrides.

    An empty override keeps the shared value. Taking a newer version re-applies the overrides.
    """

    shared = models.ForeignKey(
        SharedProcedure,
        on_delete=models.PROTECT,
        related_name="adoptions",
        verbose_name=_("共通手続"),
    )
    procedure = models.OneToOneField(
        Procedure,
        on_delete=models.PROTECT,
        related_name="adoption",
        verbose_name=_("自治体の手続"),
    )
    version = models.ForeignKey(
        SharedProcedureVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("採用している版"),
    )
    fees = models.CharField(_("手数料（自治体の設定）"), max_length=200, blank=True)
    department = models.CharField(_("担当課（自治体の設定）"), max_length=80, blank=True)
    contact = models.TextField(
        _("問い合わせ先（自治体の設定）"), blank=True, help_text=_("電話番号・受付時間など")
    )
    extra_fields = models.JSONField(
        _("自治体独自の項目"),
        default=list,
        blank=True,
        help_text=_(
            "様式定義の項目（fields）の形式。最後の確認の前に1つのステップとして加わります。"
        ),
    )
    adopted_at = models.DateTimeField(_("採用日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["municipality", "shared"]
        verbose_name = _("共通手続の採用")
        verbose_name_plural = _("共通手続の採用")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "shared"], name="procedure_adoption_unique_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.shared}"
