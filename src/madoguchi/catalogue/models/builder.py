"""The form builder: a procedure's draft form, its review, and who did what.

A draft holds a form definition in the JSON format of procedures/formdef (the same one the
command-line import reads). Publishing turns it into a new immutable FormVersion through
procedures' one service; the draft row stays as the record of who edited and who approved it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.models import TenantOwned


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("編集中")
    IN_REVIEW = "in_review", _("確認待ち")
    PUBLISHED = "published", _("公開済み")
    DISCARDED = "discarded", _("破棄")


OPEN_STATUSES = (DraftStatus.DRAFT, DraftStatus.IN_REVIEW)


class FormDraft(TenantOwned):
    """The next version of a procedure's form while it is edited and reviewed."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="form_drafts", verbose_name=_("手続")
    )
    definition = models.JSONField(_("様式定義"))
    base_version = models.ForeignKey(
        FormVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("元にした版"),
    )
    status = models.CharField(
        _("状態"), max_length=16, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    # Every change adds one: an edit made on an older page is refused instead of lost.
    revision = models.PositiveIntegerField(_("改訂"), default=1)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("確認依頼者"),
    )
    submitted_at = models.DateTimeField(_("確認依頼日時"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承認者"),
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    published_version = models.OneToOneField(
        FormVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公開した版"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("様式の下書き")
        verbose_name_plural = _("様式の下書き")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status__in=["draft", "in_review"]),
                name="form_draft_one_open_per_procedure",
            ),
            # Four eyes: whoever asked for the review never approves it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("submitted_by")),
                name="form_draft_approver_is_not_submitter",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_version__isnull=False),
                name="form_draft_published_has_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == DraftStatus.DRAFT


class DraftAction(models.TextChoices):
    CREATED = "created", _("作成")
    EDITED = "edited", _("編集")
    IMPORTED = "imported", _("JSONを取り込み")
    SUBMITTED = "submitted", _("確認を依頼")
    RETURNED = "returned", _("差し戻し")
    PUBLISHED = "published", _("承認して公開")
    DISCARDED = "discarded", _("破棄")


# The actions that make someone an editor of the draft (and so not its approver).
EDITING_ACTIONS = (
    DraftAction.CREATED,
    DraftAction.EDITED,
    DraftAction.IMPORTED,
    DraftAction.SUBMITTED,
)


class FormDraftEvent(TenantOwned):
    """One step in a draft's life: who, what, when (shown as its history)."""

    draft = models.ForeignKey(
        FormDraft, on_delete=models.CASCADE, related_name="events", verbose_name=_("下書き")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("職員"),
    )
    action = models.CharField(_("操作"), max_length=16, choices=DraftAction.choices)
    note = models.CharField(_("内容"), max_length=300, blank=True)
    at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("下書きの履歴")
        verbose_name_plural = _("下書きの履歴")

    def __str__(self) -> str:
        return f"{self.draft_id}: {self.action}"
