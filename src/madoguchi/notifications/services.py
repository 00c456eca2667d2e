"""Writes for notifications: queue a message, send the due ones again, prune finished rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.core.sealing import seal
from madoguchi.core.tasks import enqueue_on_commit
from madoguchi.tenancy.models import Municipality

from .channels import channel_for
from .contexts import builder_for
from .models import Notification
from .tasks import SEAL_PURPOSE, deliver, notification_deliver

State = Notification.State
FINISHED = (State.SENT, State.FAILED, State.CANCELLED)


def notification_queue(
    *,
    municipality: Municipality,
    template: str,
    reference: object,
    language: str,
    sealed: Mapping[str, str] | None = None,
    channel: str = "email",
) -> Notification:
    """Queue one message about the row `reference` (its id), sent once the caller's
    transaction commits. `sealed` carries what the message needs that must not be stored in
    clear or exists nowhere else (a one-time code, a link with its token, an address); it is
    encrypted here and erased once the message is sent or given up."""
    builder_for(template)  # an unknown template fails here, at the caller, not in a worker
    channel_for(channel)
    notification = Notification.objects.create(
        municipality=municipality,
        channel=channel,
        template=template,
        language=language or settings.LANGUAGE_CODE,
        reference=str(reference),
        sealed=seal(json.dumps(dict(sealed)), purpose=SEAL_PURPOSE) if sealed else "",
        next_attempt_at=timezone.now(),
    )
    enqueue_on_commit(deliver, notification_id=notification.pk)
    return notification


@dataclass(frozen=True)
class RetryReport:
    due: int
    sent: int
    still_queued: int
    failed: int


def notifications_retry_due(*, now: datetime | None = None, limit: int = 1000) -> RetryReport:
    """Attempt every queued notification that is due (a failed one whose wait is over, or one
    whose task was lost), oldest first. Safe beside a worker: each attempt claims its row."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(state=State.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes = [notification_deliver(notification_id=pk, now=now) for pk in due]
    return RetryReport(
        due=len(due),
        sent=outcomes.count(State.SENT),
        still_queued=outcomes.count(State.QUEUED),
        failed=outcomes.count(State.FAILED),
    )


@dataclass(frozen=True)
class PruneReport:
    task_results: int
    notifications: int
    expired: int


def finished_work_prune(*, now: datetime | None = None) -> PruneReport:
    """Delete finished task rows older than TASKS_RESULT_RETENTION_DAYS and finished
    notifications older than NOTIFICATIONS_RETENTION_DAYS; a notification still queued after
    that long is given up first (its sealed part erased), since no retry would send it."""
    now = now or timezone.now()
    tasks_cutoff = now - timedelta(days=settings.TASKS_RESULT_RETENTION_DAYS)
    notifications_cutoff = now - timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS)
    expired = Notification.objects.filter(
        state=State.QUEUED, created_at__lt=notifications_cutoff
    ).update(
        state=State.FAILED,
        sealed="",
        next_attempt_at=None,
        finished_at=now,
        last_error="expired",
    )
    notifications, _ = Notification.objects.filter(
        state__in=FINISHED, finished_at__lt=notifications_cutoff
    ).delete()
    task_results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=tasks_cutoff).delete()
    return PruneReport(task_results=task_results, notifications=notifications, expired=expired)
