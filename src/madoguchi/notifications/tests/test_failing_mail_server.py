"""Item 9: a resident's write succeeds on its own data when the mail server is down.

The mail server is a real SMTP connection to a port that refuses it. The immediate task backend
runs the send inside the request (these tests are transactional, so `on_commit` fires there as
in production): every write still answers with success, its notification waits for a retry with
the failure recorded without personal data, and a later retry with a working server sends it
exactly once — with the secret the resident needs, which the row no longer holds afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application
from madoguchi.applications.tests.factories import ApplicationFactory, FormVersionFactory
from madoguchi.notifications.models import Notification
from madoguchi.notifications.services import notifications_retry_due
from madoguchi.reservations import services as reservations
from madoguchi.reservations.tests.factories import hall, working_day

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("madoguchi.applications.tests.urls"),
]


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
APPLICANT = {
    "name__family": "山田",
    "name__given": "太郎",
    "name__family_kana": "ヤマダ",
    "name__given_kana": "タロウ",
    "birth_date": "令和元年5月1日",
    "email": "taro@example.jp",
}


@dataclass
class Write:
    status: int  # the answer the resident (or the staff member) got
    template: str
    mailed: str  # what the mail must carry once sent (a code, a link)


def _submit(client: Client) -> Write:
    version = FormVersionFactory()
    code, slug = version.procedure.municipality.code, version.procedure.slug
    base = f"/{code}/apply/{slug}"
    client.post(f"/{code}/procedures/{slug}/apply/")
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
    upload = SimpleUploadedFile("住民票.pdf", PDF, content_type="application/pdf")
    client.post(f"{base}/documents/", {"id_document": upload, "_action": "next"})
    response = client.post(f"{base}/check/")
    complete = client.get(response["Location"]).content.decode()
    access_code = re.search(r'id="access-code">(\d{8})<', complete).group(1)  # type: ignore[union-attr]
    assert Application.objects.count() == 1
    return Write(response.status_code, "applications/receipt", access_code)


def _resume_link(client: Client) -> Write:
    version = FormVersionFactory()
    code, slug = version.procedure.municipality.code, version.procedure.slug
    base = f"/{code}/apply/{slug}"
    client.post(f"/{code}/procedures/{slug}/apply/")
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "save"})
    response = client.post(f"{base}/saved/", {"email": "taro@example.jp"})
    page = client.get(response["Location"]).content.decode()
    link = re.search(r'id="resume-link" href="([^"]+)"', page)
    assert link is not None
    return Write(response.status_code, "applications/resume", link.group(1))


def _booking(client: Client) -> Write:
    municipality, service, _ = hall(windows=1)
    day = working_day(timezone.localdate())
    url = reverse(
        "reservations:book",
        kwargs={"municipality_code": municipality.code, "service_id": service.pk},
    )
    start = f"{day:%Y-%m-%d}T10:00"
    page = client.get(f"{url}?start={start}").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    data = {"start": start, "token": token, "name": "窓口 花子", "email": "hanako@example.jp"}
    response = client.post(url, data)
    pin = reservations.secret_for(submission_token=token)
    assert pin in client.get(response["Location"]).content.decode()
    return Write(response.status_code, "reservations/confirmation", pin)


def _staff(client: Client, **traits: Any) -> Application:
    application = ApplicationFactory(**traits)
    client.force_login(StaffUserFactory(municipality=application.municipality, manager=True))
    return application


def _status_change(client: Client) -> Write:
    application = _staff(client)
    response = client.post(
        f"/staff/applications/{application.pk}/transition/",
        {"version": application.version, "to_status": "in_review"},
    )
    assert Application.objects.get().status == "in_review"
    return Write(response.status_code, "applications/status", application.receipt_number)


def _correction(client: Client) -> Write:
    application = _staff(client, in_review=True)
    response = client.post(
        f"/staff/applications/{application.pk}/correction/",
        {
            "version": application.version,
            "fields_to_correct": ["email"],
            "message": "メールアドレスが違うようです。",
            "deadline": (date.today() + timedelta(days=30)).isoformat(),
        },
    )
    assert Application.objects.get().status == "correction_requested"
    return Write(response.status_code, "applications/correction", "/correction/")


WRITES: dict[str, Callable[[Client], Write]] = {
    "submission": _submit,
    "resume_link": _resume_link,
    "booking": _booking,
    "status_change": _status_change,
    "correction": _correction,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_succeeds_when_the_mail_server_is_down_and_its_mail_is_sent_once_later(
    write: Callable[[Client], Write], mail_server_down: int, settings: Any
) -> None:
    client = Client(raise_request_exception=False)
    before = timezone.now()
    done = write(client)
    assert done.status in (200, 302), done

    notification = Notification.objects.get()
    assert notification.template == done.template
    assert notification.state == Notification.State.QUEUED
    assert notification.attempts == 1
    assert notification.last_error == "ConnectionRefusedError (errno 111)"
    assert notification.next_attempt_at is not None and notification.next_attempt_at > before
    assert mail.outbox == []

    # Not due yet: a retry now sends nothing.
    assert notifications_retry_due().due == 0
    # The server is back; once the wait is over the retry sends it, and only once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = notification.next_attempt_at + timedelta(seconds=1)
    assert notifications_retry_due(now=later).sent == 1
    assert notifications_retry_due(now=later + timedelta(days=2)).due == 0
    assert len(mail.outbox) == 1
    assert done.mailed in mail.outbox[0].body or done.mailed in mail.outbox[0].subject
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.sealed) == ("sent", 2, "")
    assert notification.next_attempt_at is None and notification.finished_at is not None
