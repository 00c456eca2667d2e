"""Item 4: no secret in a task row or in clear in a notification row, ever; finished rows pruned.

With the database task backend (the production setting) the residents' writes leave task rows
and notification rows behind. Neither holds the access code, the resume link's token, the
correction link's token or the booking PIN in clear — before sending (sealed), nor after
(erased) — yet the mails carry them. The worker retries a failed send itself (a deferred task)
and, beside `madoguchi notifications retry`, sends it once.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import workflow
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.notifications.models import Notification
from madoguchi.notifications.services import finished_work_prune
from madoguchi.notifications.tasks import deliver

from .test_failing_mail_server import _booking, _resume_link, _submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("madoguchi.applications.tests.urls"),
]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def _drop_other_tasks() -> None:
    """A new municipality queues its own jobs (the FAQ index): not this test's subject."""
    DBTaskResult.objects.exclude(task_path=deliver.module_path).delete()


def _rows_as_text() -> list[str]:
    """Every field of every task row and notification row, as stored."""
    rows = [
        json.dumps(row, default=str, ensure_ascii=False)
        for model in (DBTaskResult, Notification)
        for row in model.objects.values()
    ]
    assert rows
    return rows


def _assert_nowhere_in_clear(secrets: dict[str, str]) -> None:
    for text in _rows_as_text():
        for name, secret in secrets.items():
            assert secret not in text, f"{name} in clear: {text}"


def _correction(client: Client) -> str:
    application = ApplicationFactory(in_review=True)
    manager = StaffUserFactory(municipality=application.municipality, manager=True)
    issued = workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=application.version,
        field_keys=["email"],
        message="メールアドレスを確かめてください。",
        deadline=date.today() + timedelta(days=30),
    )
    return issued.url


def test_no_secret_in_task_rows_or_notification_rows_before_or_after_sending(
    database_tasks: None,
) -> None:
    client = Client(raise_request_exception=False)
    access_code = _submit(client).mailed
    resume_url = _resume_link(Client()).mailed
    pin = _booking(Client()).mailed
    correction_url = _correction(client)
    secrets = {
        "access code": access_code,
        "resume token": resume_url.rstrip("/").rsplit("/", 1)[1],
        "correction token": correction_url.rstrip("/").rsplit("/", 1)[1],
        "booking PIN": pin,
    }
    assert all(len(secret) >= 6 for secret in secrets.values()), secrets
    _drop_other_tasks()

    # Queued, not sent yet: the tasks carry the notification's id and nothing else.
    notifications = list(Notification.objects.order_by("pk"))
    assert [n.state for n in notifications] == ["queued"] * 4
    assert all(n.sealed for n in notifications)
    tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [t.args_kwargs for t in tasks] == [
        {"args": [], "kwargs": {"notification_id": n.pk}} for n in notifications
    ]
    _assert_nowhere_in_clear(secrets)

    _run_worker()
    bodies = "\n".join(m.body for m in mail.outbox)
    assert len(mail.outbox) == 4
    for secret in (access_code, resume_url, correction_url, pin):
        assert secret in bodies
    assert [(n.state, n.sealed) for n in Notification.objects.all()] == [("sent", "")] * 4
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    _assert_nowhere_in_clear(secrets)

    # Pruned after their retention: task rows first, notifications later.
    now = timezone.now()
    report = finished_work_prune(now=now + timedelta(days=8))
    assert (report.task_results, report.notifications) == (4, 0)
    assert not DBTaskResult.objects.exists()
    assert finished_work_prune(now=now + timedelta(days=31)).notifications == 4
    assert not Notification.objects.exists()


def test_the_worker_retries_a_failed_send_itself_and_it_is_sent_once(
    database_tasks: None, mail_server_down: int, settings: Any
) -> None:
    done = _submit(Client())
    _drop_other_tasks()
    _run_worker()
    notification = Notification.objects.get()
    assert (notification.state, notification.attempts) == ("queued", 1)
    assert notification.last_error.startswith("ConnectionRefusedError")
    # The failed attempt is a successful task (the failure is the notification's, recorded
    # without its message); the retry is a new task deferred to the notification's due time.
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "SUCCESSFUL" and first.traceback == ""
    assert retry.status == "READY" and retry.run_after == notification.next_attempt_at
    assert retry.args_kwargs == {"args": [], "kwargs": {"notification_id": notification.pk}}
    _assert_nowhere_in_clear({"access code": done.mailed})

    # The wait is over and the server is back: the retry command and the worker both try.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    past = timezone.now() - timedelta(seconds=1)
    Notification.objects.update(next_attempt_at=past)
    DBTaskResult.objects.filter(status="READY").update(run_after=past)
    out = _command_output("notifications_retry")
    assert "due=1 sent=1" in out
    _run_worker()
    assert len(mail.outbox) == 1 and done.mailed in mail.outbox[0].body
    assert not DBTaskResult.objects.filter(status="READY").exists()
    out = _command_output("tasks_prune")
    assert re.fullmatch(r"task_results=0 notifications=0 expired=0\s*", out)


def _command_output(name: str) -> str:
    from io import StringIO

    buffer = StringIO()
    call_command(name, stdout=buffer)
    return buffer.getvalue()
