"""The talent pool (人材プール, 自治体DXアクセラレータ): a prefecture's specialists, the needs
its municipalities post, the assignments made from them and the visits done.

Specialists belong to the prefecture; their contact details are shown only on the DX team's
audited pages. A need belongs to the municipality that posted it (TenantOwned); assignments
and visits hang off the need, so Scope narrows them through it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Municipality, Prefecture, TenantOwned


class TalentRole(models.TextChoices):
    """The four roles of the national 自治体DX推進人材 guidance."""

    PRODUCER = "producer", _("プロデューサー")
    PROJECT_MANAGER = "project_manager", _("プロジェクトマネージャー")
    SERVICE_DESIGNER = "service_designer", _("サービスデザイナー")
    ENGINEER = "engineer", _("エンジニア")


class Skill(models.TextChoices):
    """One vocabulary for specialists and needs, so the overlap is counted, not guessed."""

    STRATEGY = "strategy", _("DX戦略・全体方針")
    PROCUREMENT = "procurement", _("調達・仕様書")
    BPR = "bpr", _("業務改善（BPR）")
    UX = "ux", _("利用者調査・UX")
    ONLINE = "online", _("オンライン手続")
    KAKANAI = "kakanai", _("書かない窓口")
    DATA = "data", _("データ利活用")
    AI_RPA = "ai_rpa", _("AI・RPA")
    STANDARD = "standard", _("基幹業務システムの標準化")
    SECURITY = "security", _("情報セキュリティ")
    CLOUD = "cloud", _("クラウド")
    TRAINING = "training", _("研修・人材育成")


def _days(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=2, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )


class Specialist(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name=_("都道府県")
    )
    name = models.CharField(_("氏名"), max_length=80)
    role = models.CharField(_("役割"), max_length=20, choices=TalentRole.choices)
    skills = models.JSONField(_("得意分野"), default=list, blank=True)
    affiliation = models.CharField(_("所属"), max_length=120, blank=True)
    summary = models.TextField(_("経歴・実績の概要"), blank=True)
    base = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("活動の拠点"),
    )
    covers = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("訪問できる市町村")
    )
    remote_ok = models.BooleanField(_("オンラインでの支援ができる"), default=True)
    days_per_month = _days(_("支援できる日数（月あたり）"))
    available_from = models.DateField(_("支援を始められる日"), null=True, blank=True)
    is_active = models.BooleanField(_("登録中"), default=True)
    # Personal contact details: the DX team's audited pages only.
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("DX人材")
        verbose_name_plural = _("DX人材")

    def __str__(self) -> str:
        return self.name


class NeedStatus(models.TextChoices):
    OPEN = "open", _("募集中")
    ASSIGNED = "assigned", _("支援中")
    CLOSED = "closed", _("終了")


class Need(TenantOwned):
    """A municipality's request for help, written as a job description."""

    title = models.CharField(_("支援してほしいこと"), max_length=120)
    role = models.CharField(_("求める役割"), max_length=20, choices=TalentRole.choices)
    skills = models.JSONField(_("求める分野"), default=list, blank=True)
    description = models.TextField(_("内容（背景・期待する成果）"))
    days_per_month = _days(_("必要な日数（月あたり）"))
    starts_on = models.DateField(_("開始の希望"), null=True, blank=True)
    remote_ok = models.BooleanField(_("オンラインでの支援でもよい"), default=True)
    status = models.CharField(
        _("状態"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    # Who closed the need and when (kept for the history).
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("支援の依頼")
        verbose_name_plural = _("支援の依頼")

    def __str__(self) -> str:
        return self.title


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("支援中")
    ENDED = "ended", _("終了")


class Assignment(models.Model):
    """A specialist assigned to a need, with the match as it was explained when assigned."""

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("支援の依頼")
    )
    specialist = models.ForeignKey(
        Specialist, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("DX人材")
    )
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True)
    days_per_month = _days(_("日数（月あたり）"))
    status = models.CharField(
        _("状態"), max_length=8, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    score = models.PositiveSmallIntegerField(_("適合度"), default=0)
    explanation = models.JSONField(_("適合度の内訳"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "specialist"],
                condition=models.Q(status="active"),
                name="assignment_active_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.need_id}:{self.specialist_id}"


class Visit(models.Model):
    """A visit (or an online session) done under an assignment."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="visits", verbose_name=_("派遣")
    )
    visited_on = models.DateField(_("日付"))
    online = models.BooleanField(_("オンライン"), default=False)
    hours = models.DecimalField(
        _("時間"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    topic = models.CharField(_("テーマ"), max_length=200)
    notes = models.TextField(_("記録"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("訪問の記録")
        verbose_name_plural = _("訪問の記録")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.visited_on}"
