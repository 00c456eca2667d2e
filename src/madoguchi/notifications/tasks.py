"""Sending one notification: the task (its only argument is the row's id) and the attempt.

An attempt first *claims* the row with one conditional UPDATE (queued and due → due again only
after a lease), so a task, a late duplicate task and `madoguchi notifications retry` running at
the same moment send a message once. It never raises: a failure is recorded (without personal
data — exception class and code only, since SMTP errors quote addresses) and retried with backoff.
With a task backend that can defer (the database backend), the retry is enqueued to run then;
with the immediate backend, `madoguchi notifications retry` (cron) sends the due ones.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import smtplib
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone, translation
from django_tasks import task

from madoguchi.core.sealing import SealBroken, unseal

from .channels import OutgoingMessage, channel_for
from .contexts import builder_for, extensions_apply
from .models import Notification

logger = logging.getLogger(__name__)

SEAL_PURPOSE = "notifications.sealed"
# Wait after the n-th failed attempt; one more failure after the last one gives up (~33 hours).
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a sender holds a claimed row; if it dies mid-send the row is due again after this.
CLAIM_LEASE = timedelta(minutes=10)

State = Notification.State


# Without a worker that can defer retries (the immediate backend of a small town's single
# server), a mail that goes out is the sign the mail server works again: it takes a few due
# retries along, so no retry waits for cron (`madoguchi notifications retry` still helps).
CATCH_UP = 3


@task()
def deliver(notification_id: int) -> None:
    sent = notification_deliver(notification_id=notification_id) == State.SENT
    if sent and not deliver.get_backend().supports_defer:
        _catch_up(exclude=notification_id)


def _catch_up(*, exclude: int) -> None:
    now = timezone.now()
    due = (
        # Retries only (a failed attempt before): a row never tried is its own task's to send.
        Notification.objects.filter(state=State.QUEUED, next_attempt_at__lte=now, attempts__gte=1)
        .exclude(pk=exclude)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:CATCH_UP]
    )
    for notification_id in list(due):
        notification_deliver(notification_id=notification_id, now=now)


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str:
    """One attempt; returns the row's state afterwards, or "" when it was not ours to send
    (already sent or given up, not yet due, or claimed by another sender)."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, state=State.QUEUED, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return ""
    notification = Notification.objects.get(pk=notification_id)
    try:
        message = _render(notification)
        if message is not None:
            channel_for(notification.channel).send(message)
    except SealBroken:
        # Unreadable for good (SECRET_KEY changed without a fallback): retrying cannot help.
        return _finish(notification, State.FAILED, now, error="SealBroken")
    except Exception as exc:
        return _failed(notification, exc, now)
    return _finish(notification, State.SENT if message else State.CANCELLED, now)


def _render(notification: Notification) -> OutgoingMessage | None:
    sealed: dict[str, str] = (
        json.loads(unseal(notification.sealed, purpose=SEAL_PURPOSE)) if notification.sealed else {}
    )
    with translation.override(notification.language):
        envelope = builder_for(notification.template)(notification.reference, sealed)
        if envelope is None or not envelope.recipient:
            return None
        envelope = extensions_apply(notification.template, envelope, sealed)
        message = channel_for(notification.channel).render(
            template=notification.template,
            recipient=envelope.recipient,
            context=envelope.context,
        )
        return dataclasses.replace(message, attachments=envelope.attachments)


def _finish(notification: Notification, state: str, now: datetime, *, error: str = "") -> str:
    changes: dict[str, object] = {
        "state": state,
        "sealed": "",
        "next_attempt_at": None,
        "finished_at": now,
    }
    if error:
        changes["last_error"] = error
    Notification.objects.filter(pk=notification.pk).update(**changes)
    if state == State.FAILED:
        logger.error(
            "notification %s (%s) given up after %s attempts: %s",
            notification.pk,
            notification.template,
            notification.attempts,
            error,
        )
    return state


def _failed(notification: Notification, exc: Exception, now: datetime) -> str:
    error = describe_error(exc)
    if notification.attempts >= MAX_ATTEMPTS:
        return _finish(notification, State.FAILED, now, error=error)
    due = now + BACKOFF[notification.attempts - 1]
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=due, last_error=error)
    logger.warning(
        "notification %s (%s) attempt %s failed, retry at %s: %s",
        notification.pk,
        notification.template,
        notification.attempts,
        due.isoformat(),
        error,
    )
    _schedule(notification.pk, due)
    return State.QUEUED


def _schedule(notification_id: int, due: datetime) -> None:
    if not deliver.get_backend().supports_defer:
        return  # `madoguchi notifications retry` picks it up
    try:
        deliver.using(run_after=due).enqueue(notification_id=notification_id)
    except Exception:
        # The row stays due: `madoguchi notifications retry` sends it all the same.
        logger.exception("retry of notification %s not enqueued", notification_id)


def describe_error(exc: BaseException) -> str:
    """The failure without its message: SMTP errors quote addresses, templates quote data."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name} (SMTP {exc.smtp_code})"
    if isinstance(exc, OSError) and exc.errno:
        return f"{name} (errno {exc.errno})"
    return name
