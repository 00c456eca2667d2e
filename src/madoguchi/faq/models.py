"""FAQ content (per municipality and shared sets), the index version, and query logs.

A municipality's searchable FAQ is its own published entries plus the entries of the shared sets
it adopts, minus the shared entries it overrides (a local entry with ``overrides`` set replaces the
shared one once published; an archived override hides it). See docs/faq.md.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.core.localized_text import localized_str
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality, Prefecture, TenantOwned

from .content import split_keywords

QUESTION_MAX = 300
CATEGORY_MAX = 60


class Status(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PUBLISHED = "published", _("公開")
    ARCHIVED = "archived", _("非公開")


class FaqFields(models.Model):
    """What a local entry and a shared entry have in common."""

    question = models.CharField(_("質問"), max_length=QUESTION_MAX)
    answer = models.TextField(
        _("回答"),
        help_text=_("Markdown または一部の HTML（見出し・リスト・リンクなど）が使えます。"),
    )
    # The municipality's own English text (optional): shown to readers who ask in another
    # language, and searched by the sentence channels (see docs/faq-engine.md).
    question_en = models.CharField(
        _("質問（英語）"),
        max_length=QUESTION_MAX,
        blank=True,
        help_text=_("英語の質問文（任意）。日本語以外で質問した人に回答と一緒に表示します。"),
    )
    answer_en = models.TextField(
        _("回答（英語）"),
        blank=True,
        help_text=_("英語の回答文（任意）。空欄なら日本語の回答を表示します。"),
    )
    category = models.CharField(_("分類"), max_length=CATEGORY_MAX, blank=True)
    category_en = models.CharField(
        _("分類（英語）"),
        max_length=CATEGORY_MAX,
        blank=True,
        help_text=_("英語の分類名（任意）。空欄なら日本語の分類名を表示します。"),
    )
    alt_questions = models.TextField(
        _("言い換え"), blank=True, help_text=_("同じ意味の別の聞き方を1行に1つずつ")
    )
    keywords = models.TextField(_("キーワード"), blank=True, help_text=_("空白または読点で区切る"))
    contact = models.TextField(
        _("問い合わせ先"), blank=True, help_text=_("担当課・電話番号・受付時間など")
    )
    contact_en = models.TextField(
        _("問い合わせ先（英語）"),
        blank=True,
        help_text=_("英語の問い合わせ先（任意）。空欄なら日本語の問い合わせ先を表示します。"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.question

    @property
    def alt_question_list(self) -> list[str]:
        return [line.strip() for line in self.alt_questions.splitlines() if line.strip()]

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


class FaqSet(models.Model):
    """A shared FAQ set: national (no prefecture) or a prefecture's, offered to municipalities."""

    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("名称（英語）"), max_length=100, blank=True)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="faq_sets",
        verbose_name=_("都道府県"),
        help_text=_("空欄なら全国共通"),
    )
    description = models.TextField(_("説明"), blank=True)
    description_en = models.TextField(_("説明（英語）"), blank=True)
    is_active = models.BooleanField(_("提供中"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("共通FAQセット")
        verbose_name_plural = _("共通FAQセット")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (core/localized_text.py)."""
        return localized_str(self, "name")


class SharedFaqEntry(FaqFields):
    faq_set = models.ForeignKey(
        FaqSet, on_delete=models.CASCADE, related_name="entries", verbose_name=_("セット")
    )
    is_published = models.BooleanField(_("公開"), default=True)

    class Meta:
        ordering = ["category", "question"]
        verbose_name = _("共通FAQ")
        verbose_name_plural = _("共通FAQ")


class FaqSetAdoption(TenantOwned):
    faq_set = models.ForeignKey(
        FaqSet, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("セット")
    )
    adopted_at = models.DateTimeField(_("採用日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("共通FAQセットの採用")
        verbose_name_plural = _("共通FAQセットの採用")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "faq_set"], name="faq_adoption_unique_per_municipality"
            )
        ]


class FaqEntry(TenantOwned, FaqFields):
    status = models.CharField(
        _("公開状態"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    related_procedures = models.ManyToManyField(
        Procedure, blank=True, related_name="faq_entries", verbose_name=_("関連する手続")
    )
    overrides = models.ForeignKey(
        SharedFaqEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="overrides",
        verbose_name=_("置き換える共通FAQ"),
    )
    last_reviewed = models.DateField(_("最終確認日"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        ordering = ["category", "question"]
        verbose_name = _("よくある質問")
        verbose_name_plural = _("よくある質問")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "overrides"],
                condition=models.Q(overrides__isnull=False),
                name="faq_one_override_per_shared_entry",
            )
        ]
        indexes = [models.Index(fields=["municipality", "status"], name="faq_entry_status_idx")]


class FaqIndexState(models.Model):
    """Bumped on every change to a municipality's searchable FAQ, so every process notices."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("FAQ索引の版")
        verbose_name_plural = _("FAQ索引の版")

    def __str__(self) -> str:
        return f"{self.municipality_id}: v{self.version}"


class FaqQueryLog(TenantOwned):
    """One question asked, with personal-looking data masked before it is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    query = models.CharField(_("質問（マスク済み）"), max_length=QUESTION_MAX)
    query_key = models.CharField(_("集計用の質問"), max_length=QUESTION_MAX, db_index=True)
    language = models.CharField(_("言語"), max_length=8, default="ja")
    answered = models.BooleanField(_("回答できた"), default=False)
    confidence = models.FloatField(_("確信度"), default=0.0)
    top_doc = models.CharField(_("最上位の回答"), max_length=32, blank=True)
    helpful = models.BooleanField(_("解決した"), null=True, blank=True)
    draft = models.ForeignKey(
        FaqEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作成した下書き"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("質問の記録")
        verbose_name_plural = _("質問の記録")
        indexes = [
            models.Index(fields=["municipality", "created_at"], name="faq_log_period_idx"),
        ]
