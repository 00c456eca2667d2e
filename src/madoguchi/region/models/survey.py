"""The DX progress survey (DX推進状況調査): a prefecture's questionnaire of a fiscal year, its
municipalities' answers and the evidence they attach.

A survey and its questions belong to the prefecture; a response (and its answers and evidence)
belongs to one municipality (TenantOwned), so Scope narrows it like every tenant row. Questions
carry a stable `key`, so a question is compared year on year across the yearly surveys.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Prefecture, TenantOwned

from .files import StoredFile


class Section(models.TextChoices):
    STRUCTURE = "structure", _("推進体制")
    OPERATIONS = "operations", _("業務のDX")
    SERVICES = "services", _("住民サービスのDX")


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("はい・いいえ")
    CHOICE = "choice", _("選択肢から一つ")
    NUMBER = "number", _("数値")
    PERCENT = "percent", _("割合（%）")
    TEXT = "text", _("自由記述")


class Measured(models.TextChoices):
    """Figures Madoguchi measures itself: the answer is pre-filled (the municipality may change it)."""

    NONE = "", _("なし")
    ONLINE_SHARE = "online_share", _("申請のうちオンラインの割合（Madoguchi の計測）")
    PREINPUT_SHARE = "preinput_share", _("窓口の申請のうち事前入力を使った割合（Madoguchi の計測）")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("準備中")
    OPEN = "open", _("回答受付中")
    CLOSED = "closed", _("締切")


class Survey(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="+", verbose_name=_("都道府県")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("調査の名前"), max_length=120)
    status = models.CharField(
        _("状態"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    due_on = models.DateField(_("回答期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        ordering = ["-fiscal_year", "pk"]
        verbose_name = _("DX推進状況調査")
        verbose_name_plural = _("DX推進状況調査")
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "fiscal_year"], name="survey_one_per_prefecture_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.title}"


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("調査")
    )
    section = models.CharField(_("区分"), max_length=16, choices=Section.choices)
    key = models.CharField(
        _("設問の識別子"),
        max_length=40,
        validators=[
            RegexValidator(r"^[a-z][a-z0-9_]*$", _("半角英小文字・数字・_ で書いてください。"))
        ],
        help_text=_("年度をまたいで同じ設問を比べるための名前です（半角英小文字・数字・_）。"),
    )
    text = models.CharField(_("設問"), max_length=300)
    help_text = models.CharField(_("補足"), max_length=300, blank=True)
    kind = models.CharField(_("回答の形式"), max_length=8, choices=QuestionKind.choices)
    choices = models.JSONField(_("選択肢"), default=list, blank=True)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    max_value = models.PositiveIntegerField(_("上限"), null=True, blank=True)
    measured = models.CharField(
        _("Madoguchi の計測値"), max_length=16, choices=Measured.choices, default="", blank=True
    )
    evidence_requested = models.BooleanField(_("根拠資料を求める"), default=False)
    order = models.PositiveSmallIntegerField(_("順番"), default=0)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("設問")
        verbose_name_plural = _("設問")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_once_per_survey")
        ]

    def __str__(self) -> str:
        return self.text


class Response(TenantOwned):
    """One municipality's answers to one survey (a draft until submitted)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("調査")
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出した人"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("調査の回答")
        verbose_name_plural = _("調査の回答")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "municipality"], name="response_once_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.municipality_id}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("回答")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("設問")
    )
    value = models.CharField(_("回答"), max_length=2000, blank=True)
    number = models.DecimalField(_("数値"), max_digits=14, decimal_places=2, null=True, blank=True)
    measured = models.BooleanField(_("Madoguchi の計測値のまま"), default=False)

    class Meta:
        verbose_name = _("設問への回答")
        verbose_name_plural = _("設問への回答")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Opaque, like applications' attachments: the uploaded name stays in the row only.
    return f"region/evidence/{instance.municipality.code}/{instance.id}"


class Evidence(StoredFile):
    """A file backing an answer (a policy document, an appointment notice…)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("回答")
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("設問"),
    )
    file = models.FileField(upload_to=evidence_path, max_length=255)

    class Meta(StoredFile.Meta):
        verbose_name = _("根拠資料")
        verbose_name_plural = _("根拠資料")
