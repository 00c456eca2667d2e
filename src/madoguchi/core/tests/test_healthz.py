"""/healthz: the database answers, and the task queue's backlog for monitoring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def nothing() -> None:
    """A task that waits in the queue (no worker runs in tests)."""


def test_healthz_reports_the_database_and_an_empty_backlog(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "tasks": {"waiting": 0, "oldest_waiting_seconds": 0},
    }


def test_healthz_reports_waiting_tasks_and_the_oldest_wait(client: Client) -> None:
    with override_settings(TASKS=DATABASE_TASKS):
        nothing.enqueue()
        nothing.enqueue()
    oldest = DBTaskResult.objects.order_by("enqueued_at").first()
    assert oldest is not None
    DBTaskResult.objects.filter(pk=oldest.pk).update(
        enqueued_at=oldest.enqueued_at - timedelta(minutes=5)
    )
    tasks = client.get("/healthz").json()["tasks"]
    assert tasks["waiting"] == 2 and 300 <= tasks["oldest_waiting_seconds"] < 360


def test_healthz_answers_503_when_the_database_does_not(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
