"""The procedure catalogue and its versioned form definitions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.localized_text import localized_str
from madoguchi.tenancy.models import TenantOwned


class Category(models.TextChoices):
    CHILDCARE = "childcare", _("子育て")
    HEALTH_WELFARE = "health_welfare", _("健康・福祉")
    LONG_TERM_CARE = "long_term_care", _("介護")
    HOUSING_MOVING = "housing_moving", _("住まい・引っ越し")
    FAMILY_REGISTER = "family_register", _("戸籍・住民票")
    TAX = "tax", _("税")
    DISASTER = "disaster", _("防災・罹災")
    ENVIRONMENT = "environment", _("ごみ・環境")
    PETS = "pets", _("ペット・動物")
    OTHER = "other", _("その他")


class Channel(models.TextChoices):
    """How a resident can use a procedure; filter values for the catalogue."""

    ONLINE = "online", _("オンライン申請")
    COUNTER_PREINPUT = "counter_preinput", _("窓口での事前入力")
    BOOKING = "booking", _("来庁予約")


class Procedure(TenantOwned):
    slug = models.SlugField(_("識別名"), max_length=80, help_text=_("URL に使う英数字の名前"))
    standard_code = models.CharField(
        _("標準手続コード"),
        max_length=80,
        blank=True,
        help_text=_("標準ライブラリの手続を元にした場合、そのコード"),
    )
    name = models.CharField(_("手続名"), max_length=120)
    name_en = models.CharField(_("手続名（英語）"), max_length=200, blank=True)
    category = models.CharField(
        _("分類"), max_length=32, choices=Category.choices, default=Category.OTHER
    )
    # Texts residents read: each has its English version (`_en`) and the catalogue texts a
    # やさしい日本語 version (`_easy`); core/localized_text.py chooses which one a reader sees.
    summary = models.CharField(_("概要（1行）"), max_length=200, blank=True)
    summary_en = models.CharField(_("概要（英語）"), max_length=300, blank=True)
    summary_easy = models.CharField(_("概要（やさしい日本語）"), max_length=200, blank=True)
    description = models.TextField(_("説明"), blank=True)
    description_en = models.TextField(_("説明（英語）"), blank=True)
    description_easy = models.TextField(_("説明（やさしい日本語）"), blank=True)
    eligibility = models.TextField(_("申請できる人"), blank=True)
    eligibility_en = models.TextField(_("申請できる人（英語）"), blank=True)
    eligibility_easy = models.TextField(_("申請できる人（やさしい日本語）"), blank=True)
    what_to_bring = models.TextField(
        _("必要なもの"), blank=True, help_text=_("1行に1つずつ書いてください。")
    )
    what_to_bring_en = models.TextField(
        _("必要なもの（英語）"), blank=True, help_text=_("日本語と同じ順に、1行に1つずつ。")
    )
    what_to_bring_easy = models.TextField(
        _("必要なもの（やさしい日本語）"),
        blank=True,
        help_text=_("日本語と同じ順に、1行に1つずつ。"),
    )
    fees = models.CharField(_("手数料"), max_length=200, blank=True)
    fees_en = models.CharField(_("手数料（英語）"), max_length=300, blank=True)
    department = models.CharField(_("担当課"), max_length=80, blank=True)
    department_en = models.CharField(_("担当課（英語）"), max_length=120, blank=True)
    online = models.BooleanField(_("オンライン申請"), default=True)
    counter_preinput = models.BooleanField(_("窓口での事前入力"), default=False)
    booking = models.BooleanField(_("来庁予約"), default=False)
    standard_processing_days = models.PositiveSmallIntegerField(
        _("標準処理期間（日）"), null=True, blank=True
    )
    is_published = models.BooleanField(_("公開中"), default=False)
    search_keywords = models.TextField(
        _("検索キーワード"), blank=True, help_text=_("言い換えや別名を空白区切りで")
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=100)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("手続")
        verbose_name_plural = _("手続")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="procedure_unique_slug_per_municipality"
            )
        ]
        indexes = [
            models.Index(
                fields=["municipality", "is_published", "category"], name="procedure_catalogue_idx"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (English where one is given)."""
        return localized_str(self, "name")

    @property
    def current_version(self) -> FormVersion | None:
        """The newest form version, or None before a definition was ever saved."""
        return self.form_versions.order_by("-number").first()

    @property
    def what_to_bring_lines(self) -> list[str]:
        return [line.strip() for line in self.what_to_bring.splitlines() if line.strip()]

    @property
    def channels(self) -> list[Channel]:
        flags = [
            (self.online, Channel.ONLINE),
            (self.counter_preinput, Channel.COUNTER_PREINPUT),
            (self.booking, Channel.BOOKING),
        ]
        return [channel for enabled, channel in flags if enabled]


class FormVersionQuerySet(models.QuerySet["FormVersion"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Form versions are immutable; create a new version instead.")


class FormVersion(models.Model):
    """One immutable form definition of a procedure; applications keep the exact version."""

    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        related_name="form_versions",
        verbose_name=_("手続"),
    )
    number = models.PositiveIntegerField(_("版"))
    definition = models.JSONField(_("様式定義"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作成者"),
    )

    objects = FormVersionQuerySet.as_manager()

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("様式の版")
        verbose_name_plural = _("様式の版")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="form_version_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="form_version_number_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} 第{self.number}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An application points at the exact version it was submitted against: never rewrite one.
        if not self._state.adding:
            raise TypeError("Form versions are immutable; create a new version instead.")
        super().save(*args, **kwargs)


class LifeEvent(TenantOwned):
    """A life event (出産, 引っ越し, おくやみ …): an entry point that groups the procedures a
    resident needs when it happens to them. Data, filled from the standard list."""

    slug = models.SlugField(_("識別名"), max_length=80, help_text=_("URL に使う英数字の名前"))
    name = models.CharField(_("名前"), max_length=80)
    name_en = models.CharField(_("名前（英語）"), max_length=120, blank=True)
    description = models.CharField(_("説明（わかりやすいことばで）"), max_length=300, blank=True)
    description_en = models.CharField(_("説明（英語）"), max_length=400, blank=True)
    description_easy = models.CharField(_("説明（やさしい日本語）"), max_length=300, blank=True)
    search_keywords = models.TextField(
        _("検索キーワード"),
        blank=True,
        help_text=_("住民が書くことば（例：子どもが生まれた）を空白区切りで"),
    )
    procedures: models.ManyToManyField[Procedure, LifeEventProcedure] = models.ManyToManyField(
        Procedure,
        through="LifeEventProcedure",
        related_name="life_events",
        blank=True,
        verbose_name=_("手続"),
    )
    sort_order = models.PositiveIntegerField(_("表示順"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("ライフイベント")
        verbose_name_plural = _("ライフイベント")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="life_event_unique_slug_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localized_str(self, "name")


class LifeEventProcedure(models.Model):
    """A procedure of a life event, in the order a resident usually needs them."""

    life_event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="life_event_links"
    )
    position = models.PositiveSmallIntegerField(_("順番"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("ライフイベントの手続")
        verbose_name_plural = _("ライフイベントの手続")
        constraints = [
            models.UniqueConstraint(
                fields=["life_event", "procedure"], name="life_event_procedure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.life_event_id}: {self.procedure_id}"
