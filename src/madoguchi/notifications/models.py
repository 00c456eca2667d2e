"""The outbox: one row per message to a resident, from queueing until it is sent or given up."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import TenantOwned


class Notification(TenantOwned):
    """One message. Holds no personal data in clear: `reference` is the id of the row the
    message is about, and whatever exists nowhere else (a one-time code, a link with its
    token, an address typed only for this mail) is in `sealed`, erased once finished."""

    class State(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信できず")
        CANCELLED = "cancelled", _("送信不要")

    channel = models.CharField(_("経路"), max_length=16, default="email")
    template = models.CharField(_("ひな形"), max_length=100)
    language = models.CharField(_("言語"), max_length=10)
    reference = models.CharField(_("対象"), max_length=64)
    sealed = models.TextField(blank=True)
    state = models.CharField(_("状態"), max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    # Due time while queued (also a claim: a sender moves it forward before sending).
    next_attempt_at = models.DateTimeField(_("次の試行"), null=True, blank=True)
    last_error = models.CharField(_("最後のエラー"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["state", "finished_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="queued") | models.Q(sealed=""),
                name="notification_sealed_only_while_queued",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk} ({self.state})"
