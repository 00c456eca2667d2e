"""The prefecture's console: jointly procured systems (共同調達) and cost-sharing agreements.

Both belong to a prefecture (its DX team keeps them); their rows about one municipality
(participation, agreement membership) carry that municipality, so `tenancy.access.Scope`
narrows them like every tenant-owned row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Municipality, Prefecture

MAX_YEN = 10**15


class Domain(models.TextChoices):
    """共同調達ダッシュボード「分野」."""

    GENERAL = "general", _("総務部門")
    BUSINESS = "business", _("事業部門")
    TOOL = "tool", _("ツール")


class SystemType(models.TextChoices):
    """共同調達ダッシュボード「システム種別」."""

    E_APPLICATION = "e_application", _("電子申請・納付")
    FACILITY_BOOKING = "facility_booking", _("施設予約")
    AI_MINUTES = "ai_minutes", _("AI議事録")
    AI_CHATBOT = "ai_chatbot", _("AIチャットボット")
    SECURITY_CLOUD = "security_cloud", _("セキュリティクラウド")
    RPA = "rpa", _("RPA")
    AI_OCR = "ai_ocr", _("AI-OCR")
    WEB_MEETING = "web_meeting", _("Web会議")
    DOCUMENTS = "documents", _("文書管理・電子決裁")
    GROUPWARE = "groupware", _("グループウェア")
    GENERATIVE_AI = "generative_ai", _("生成AI")
    OTHER = "other", _("その他")


class JointSystem(models.Model):
    """A system a prefecture procured jointly with its municipalities (one dashboard row)."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name=_("都道府県")
    )
    name = models.CharField(_("システム名"), max_length=120)
    domain = models.CharField(_("分野"), max_length=16, choices=Domain.choices)
    system_type = models.CharField(_("システム種別"), max_length=32, choices=SystemType.choices)
    vendor = models.CharField(_("事業者"), max_length=120, blank=True)
    initial_cost = models.PositiveBigIntegerField(
        _("初期費用（円）"), null=True, blank=True, validators=[MaxValueValidator(MAX_YEN)]
    )
    annual_cost = models.PositiveBigIntegerField(
        _("年間費用（円）"), null=True, blank=True, validators=[MaxValueValidator(MAX_YEN)]
    )
    period_start = models.DateField(_("契約期間（開始）"), null=True, blank=True)
    period_end = models.DateField(_("契約期間（終了）"), null=True, blank=True)
    spec_shareable = models.BooleanField(_("仕様書の共有可"), default=False)
    subsidy = models.CharField(_("活用した補助金等"), max_length=200, blank=True)
    background = models.TextField(_("共同調達の背景"), blank=True)
    process = models.TextField(_("調達の進め方"), blank=True)
    is_public = models.BooleanField(
        _("公開ページに載せる"),
        default=False,
        help_text=_("事業者や他の都道府県が見られる公開ページに載せます（個人情報は載りません）。"),
    )
    is_madoguchi = models.BooleanField(
        _("Madoguchi"),
        default=False,
        editable=False,
        help_text=_("このシステム自身（参加団体と利用実績を自動で入れます）"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["prefecture__code", "name", "pk"]
        verbose_name = _("共同調達システム")
        verbose_name_plural = _("共同調達システム")
        constraints = [
            models.CheckConstraint(
                name="joint_system_period_order",
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_start__lte=models.F("period_end")),
            ),
            models.UniqueConstraint(
                fields=["prefecture"],
                condition=models.Q(is_madoguchi=True),
                name="joint_system_one_madoguchi_per_prefecture",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """A municipality taking part in a joint system, with the population and staff covered."""

    system = models.ForeignKey(
        JointSystem,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("システム"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("自治体")
    )
    population = models.PositiveIntegerField(_("人口"), default=0)
    staff_covered = models.PositiveIntegerField(_("対象職員数"), default=0)

    class Meta:
        ordering = ["municipality__code"]
        verbose_name = _("参加団体")
        verbose_name_plural = _("参加団体")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "municipality"], name="participation_once_per_system"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system_id}:{self.municipality_id}"


class RoundingMode(models.TextChoices):
    FLOOR = "floor", _("切り捨て")
    ROUND = "round", _("四捨五入")
    CEIL = "ceil", _("切り上げ")


class UsageSource(models.TextChoices):
    ENTERED = "entered", _("入力した値")
    APPLICATIONS = "applications", _("Madoguchi の申請件数")
    BOOKINGS = "bookings", _("Madoguchi の予約件数")
    FAQ_QUESTIONS = "faq_questions", _("Madoguchi のFAQ質問数")
    ALL = "all", _("Madoguchi の申請・予約・FAQ質問の合計")


def _weight(label: Any) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=6,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )


class Agreement(models.Model):
    """A cost-sharing agreement (負担金の按分) of one fiscal year among a prefecture's municipalities."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name=_("都道府県")
    )
    system = models.ForeignKey(
        JointSystem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("共同調達システム"),
    )
    name = models.CharField(_("協定の名前"), max_length=120)
    fiscal_year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    total = models.PositiveBigIntegerField(_("総額（円）"), validators=[MaxValueValidator(MAX_YEN)])
    weight_equal = _weight(_("均等割"))
    weight_population = _weight(_("人口割"))
    weight_usage = _weight(_("利用割"))
    weight_need = _weight(_("財政需要割"))
    population_exponent = models.DecimalField(
        _("人口の指数"),
        max_digits=5,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(2))],
        help_text=_("1 は人口に比例。0.585 なら人口が2倍で負担は1.5倍（逓減）。"),
    )
    rounding_unit = models.PositiveIntegerField(
        _("端数処理の単位（円）"), default=1000, validators=[MinValueValidator(1)]
    )
    rounding_mode = models.CharField(
        _("端数処理"), max_length=8, choices=RoundingMode.choices, default=RoundingMode.FLOOR
    )
    remainder_to = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("端数を負担する団体"),
        help_text=_("空欄なら、端数の大きい団体から単位ごとに配分します。"),
    )
    population_source = models.CharField(
        _("人口の出典"), max_length=120, default="住民基本台帳人口", blank=True
    )
    population_date = models.DateField(_("人口の基準日"), null=True, blank=True)
    usage_source = models.CharField(
        _("利用量"), max_length=16, choices=UsageSource.choices, default=UsageSource.ENTERED
    )
    usage_from = models.DateField(_("利用量の集計期間（開始）"), null=True, blank=True)
    usage_to = models.DateField(_("利用量の集計期間（終了）"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["-fiscal_year", "name", "pk"]
        verbose_name = _("負担金の協定")
        verbose_name_plural = _("負担金の協定")
        constraints = [
            models.CheckConstraint(
                name="agreement_usage_window_order",
                condition=models.Q(usage_from__isnull=True)
                | models.Q(usage_to__isnull=True)
                | models.Q(usage_from__lte=models.F("usage_to")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.name}"

    @property
    def weights(self) -> dict[str, Decimal]:
        return {
            "equal": self.weight_equal,
            "population": self.weight_population,
            "usage": self.weight_usage,
            "fiscal_need": self.weight_need,
        }


class AgreementMember(models.Model):
    """A municipality in an agreement, with the figures its share is computed from."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="members", verbose_name=_("協定")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("自治体")
    )
    population = models.PositiveIntegerField(_("人口"), default=0)
    usage = models.DecimalField(
        _("利用量"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    fiscal_need = models.DecimalField(
        _("基準財政需要額（千円）"),
        max_digits=16,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        ordering = ["municipality__code"]
        verbose_name = _("構成団体")
        verbose_name_plural = _("構成団体")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "municipality"], name="agreement_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.municipality_id}"


class AgreementChange(models.Model):
    """Every change to an agreement: who, when, what, and the whole agreement after it (JSON)."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="changes", verbose_name=_("協定")
    )
    at = models.DateTimeField(_("日時"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("変更した人"),
    )
    actor_label = models.CharField(_("変更した人"), max_length=150)
    summary = models.CharField(_("変更内容"), max_length=500)
    snapshot = models.JSONField(_("変更後の協定（AGREEMENT.json）"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("協定の変更履歴")
        verbose_name_plural = _("協定の変更履歴")

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.at:%Y-%m-%d %H:%M}"
