"""Background work that staff start and follow: a bundle import, an export, an index build.

A `Job` row is the progress record shared by the web screens and the task worker: the task
carries only the job's id; its progress (done/total), its heartbeat and its outcome live here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import TenantOwned


def result_path(instance: Job, filename: str) -> str:
    # Opaque and private: an export holds personal data; its download name is `result_name`.
    return f"jobs/{instance.municipality.code}/{instance.pk}-{instance.token}"


class Job(TenantOwned):
    class State(models.TextChoices):
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("処理中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")
        INTERRUPTED = "interrupted", _("中断")

    # "<app>.<what>", e.g. "intake.import"; the app that starts a job also runs it.
    kind = models.CharField(_("種類"), max_length=64)
    # The id of the row the job works on (an export run…), for kinds that are not linked from
    # their own model; read only together with `kind` and the municipality.
    subject_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(_("状態"), max_length=16, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("処理済み"), default=0)
    total = models.PositiveIntegerField(_("全体"), default=0)
    quarantined = models.PositiveIntegerField(_("保留"), default=0)
    # The language of the person who started it: messages written by the job use it.
    language = models.CharField(max_length=8, default="ja")
    heartbeat_at = models.DateTimeField(_("最終応答"), null=True, blank=True)
    # Why it failed, for the staff screen (never an exception text: it may quote personal data).
    error = models.TextField(_("理由"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("開始した職員"),
    )
    created_at = models.DateTimeField(_("受付日時"))
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    # A file the job produced (an export), kept in private storage, downloaded through a view.
    token = models.CharField(max_length=32, blank=True)
    result = models.FileField(upload_to=result_path, max_length=255, blank=True)
    result_name = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("バックグラウンド処理")
        verbose_name_plural = _("バックグラウンド処理")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "kind", "-created_at"], name="jobs_recent_idx"),
            models.Index(fields=["municipality", "kind", "subject_id"], name="jobs_subject_idx"),
            models.Index(fields=["state", "heartbeat_at"], name="jobs_state_heartbeat_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
