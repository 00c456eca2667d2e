"""The good-practice library (参考事例集, 横展開): a municipality's case, its effects and who took
it up elsewhere with what result.

A case belongs to the municipality that did it (TenantOwned); it is a draft until the
prefecture's DX team publishes it to the prefecture's municipalities (and, with `is_public`, to
other prefectures). Effects hang off the case; an adoption belongs to the municipality that took
the case up, so Scope narrows each to its own municipality.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import TenantOwned

from .procurement import MAX_YEN


class PracticeTheme(models.TextChoices):
    """The library's themes; the everyday words each is searched by are in practice/themes.py."""

    STRUCTURE = "structure", _("推進体制")
    COUNTER = "counter", _("窓口DX")
    AI_RPA = "ai_rpa", _("AI・RPA")
    ONLINE = "online", _("オンライン化")
    DIVIDE = "divide", _("デジタルデバイド対策")
    CASHLESS = "cashless", _("キャッシュレス")
    BPR = "bpr", _("業務改善（BPR）")
    TALENT = "talent", _("人材育成")
    DATA = "data", _("データ利活用")
    JOINT = "joint", _("共同化・標準化")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    IN_REVIEW = "in_review", _("県の確認待ち")
    PUBLISHED = "published", _("公開中")


class EffectPeriod(models.TextChoices):
    PER_YEAR = "per_year", _("1年あたり")
    PER_MONTH = "per_month", _("1か月あたり")
    PER_CASE = "per_case", _("1件あたり")
    WINDOW = "window", _("計測期間の値")


class EffectSource(models.TextChoices):
    MEASURED = "measured", _("Madoguchi の計測")
    REPORTED = "reported", _("自治体の報告")


class EffectMetric(models.TextChoices):
    """What Madoguchi measures itself (practice/measured.py computes each)."""

    NONE = "", _("なし")
    ONLINE_SHARE = "online_share", _("申請のうちオンラインの割合")
    PREINPUT_SHARE = "preinput_share", _("窓口の申請のうち事前入力を使った割合")
    STAFF_HOURS = "staff_hours", _("オンライン化で減った窓口の対応時間")
    MEDIAN_WAIT = "median_wait", _("窓口の待ち時間（中央値）")


def _yen(label: Any) -> models.PositiveBigIntegerField:
    return models.PositiveBigIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(MAX_YEN)]
    )


class PracticeCase(TenantOwned):
    title = models.CharField(_("事例の名前"), max_length=120)
    themes = models.JSONField(_("テーマ"), default=list, blank=True)
    background = models.TextField(_("課題・きっかけ"), max_length=4000, blank=True)
    summary = models.TextField(_("取り組んだこと"), max_length=4000)
    keywords = models.CharField(
        _("検索の言葉"),
        max_length=200,
        blank=True,
        help_text=_("ほかの自治体が探すときに使いそうな言葉を空白で区切って書いてください。"),
    )
    started_on = models.DateField(_("始めた日"), null=True, blank=True)
    cost_initial = _yen(_("初期費用（円）"))
    cost_annual = _yen(_("年間の費用（円）"))
    cost_note = models.CharField(_("費用の補足"), max_length=200, blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
    is_public = models.BooleanField(
        _("ほかの都道府県にも公開する"),
        default=False,
        help_text=_("県が公開を決めます。公開すると、ほかの都道府県の自治体も読めます。"),
    )
    is_example = models.BooleanField(
        _("記入例（公開情報をもとにした例）"), default=False, editable=False
    )
    review_note = models.CharField(_("県からのコメント"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    submitted_at = models.DateTimeField(_("確認を依頼した日時"), null=True, blank=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("参考事例")
        verbose_name_plural = _("参考事例")

    def __str__(self) -> str:
        return self.title


class PracticeEffect(models.Model):
    """One effect of a case: a figure with its unit and period, and where it comes from."""

    case = models.ForeignKey(
        PracticeCase, on_delete=models.CASCADE, related_name="effects", verbose_name=_("事例")
    )
    label = models.CharField(_("効果"), max_length=80)
    value = models.DecimalField(
        _("数値"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(-(10**11)), MaxValueValidator(10**11)],
    )
    unit = models.CharField(_("単位"), max_length=20)
    period = models.CharField(_("期間"), max_length=10, choices=EffectPeriod.choices)
    source = models.CharField(
        _("出典"), max_length=10, choices=EffectSource.choices, default=EffectSource.REPORTED
    )
    metric = models.CharField(
        _("Madoguchi の計測値"),
        max_length=16,
        choices=EffectMetric.choices,
        default="",
        blank=True,
    )
    measured_from = models.DateField(_("計測の始め"), null=True, blank=True)
    measured_to = models.DateField(_("計測の終わり"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("事例の効果")
        verbose_name_plural = _("事例の効果")

    def __str__(self) -> str:
        return self.label


class Adoption(TenantOwned):
    """A municipality that took a case up (「この事例を参考に取り組む」) and, later, its result."""

    case = models.ForeignKey(
        PracticeCase, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("事例")
    )
    started_on = models.DateField(_("取り組みを始めた日"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    result_label = models.CharField(_("結果"), max_length=80, blank=True)
    result_value = models.DecimalField(
        _("結果の数値"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-(10**11)), MaxValueValidator(10**11)],
    )
    result_unit = models.CharField(_("単位"), max_length=20, blank=True)
    result_period = models.CharField(
        _("期間"), max_length=10, choices=EffectPeriod.choices, blank=True
    )
    result_on = models.DateField(_("結果の時点"), null=True, blank=True)
    result_note = models.CharField(_("結果の補足"), max_length=500, blank=True)

    class Meta:
        ordering = ["case", "started_on", "pk"]
        verbose_name = _("事例の横展開")
        verbose_name_plural = _("事例の横展開")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "municipality"], name="adoption_once_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.municipality_id}"
