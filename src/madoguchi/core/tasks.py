"""Enqueueing background work so that it happens only if the surrounding transaction commits."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks.base import Task


def enqueue_on_commit(task: Task[Any, Any], **kwargs: Any) -> None:
    """With the database queue the task row is written in the same transaction (an outbox:
    both or neither, and one commit instead of two); other backends run after commit."""
    from django_tasks_db.backend import DatabaseBackend

    if (
        isinstance(task.get_backend(), DatabaseBackend)
        and transaction.get_connection().in_atomic_block
    ):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, **kwargs))
