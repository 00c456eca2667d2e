"""One attempt, its outcomes and its limits: give up, nothing to send, unreadable seal, channels."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from madoguchi.applications.models import Application
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.notifications import channels
from madoguchi.notifications.channels import OutgoingMessage
from madoguchi.notifications.models import Notification
from madoguchi.notifications.services import (
    finished_work_prune,
    notification_queue,
    notifications_retry_due,
)
from madoguchi.notifications.tasks import (
    BACKOFF,
    MAX_ATTEMPTS,
    deliver,
    describe_error,
    notification_deliver,
)

pytestmark = pytest.mark.django_db

ACCESS_CODE = "48151623"


def _receipt(application: Application, language: str = "ja") -> Notification:
    return notification_queue(
        municipality=application.municipality,
        template="applications/receipt",
        reference=application.pk,
        language=language,
        sealed={"access_code": ACCESS_CODE},
    )


def test_the_receipt_is_rendered_at_send_time_in_the_recipients_language() -> None:
    application = ApplicationFactory()
    english = _receipt(application, "en")
    assert notification_deliver(notification_id=english.pk) == "sent"
    assert notification_deliver(notification_id=english.pk) == ""  # once only
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert ACCESS_CODE in message.body and application.receipt_number in message.body
    assert "受付" not in message.subject  # English, whatever the active language
    japanese = _receipt(application)
    notification_deliver(notification_id=japanese.pk)
    assert "申請を受け付けました" in mail.outbox[1].subject


def test_a_failing_send_backs_off_and_is_given_up_with_its_secret_erased(
    mail_server_down: int,
) -> None:
    notification = _receipt(ApplicationFactory())
    now = timezone.now()
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        assert notification_deliver(notification_id=notification.pk, now=now) == "queued"
        notification.refresh_from_db()
        assert notification.sealed and ACCESS_CODE not in notification.sealed
        waits.append(notification.next_attempt_at - now)
        # Not due before its wait is over.
        assert notification_deliver(notification_id=notification.pk, now=now) == ""
        now = notification.next_attempt_at
    assert waits == list(BACKOFF)
    assert notification_deliver(notification_id=notification.pk, now=now) == "failed"
    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS
    assert (notification.sealed, notification.next_attempt_at) == ("", None)
    assert notification.last_error == "ConnectionRefusedError (errno 111)"
    assert notifications_retry_due(now=now + timedelta(days=30)).due == 0
    assert mail.outbox == []


def test_nothing_is_sent_when_the_address_is_gone_by_send_time() -> None:
    application = ApplicationFactory()
    notification = _receipt(application)
    Application.objects.filter(pk=application.pk).update(contact_email="")
    assert notification_deliver(notification_id=notification.pk) == "cancelled"
    notification.refresh_from_db()
    assert notification.sealed == "" and mail.outbox == []


def test_a_seal_no_key_opens_fails_at_once(settings: Any) -> None:
    notification = _receipt(ApplicationFactory())
    settings.SECRET_KEY = "rotated-without-fallback"
    assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert (notification.last_error, notification.sealed) == ("SealBroken", "")
    assert mail.outbox == []
    # With the old key kept as a fallback, a rotation loses nothing.
    settings.SECRET_KEY = "rotated"
    kept = _receipt(ApplicationFactory())
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-again", ["rotated"]
    assert notification_deliver(notification_id=kept.pk) == "sent"


def test_errors_are_recorded_without_their_message() -> None:
    address = "hanako@example.jp"
    refused = smtplib.SMTPRecipientsRefused({address: (550, b"no such user " + address.encode())})
    assert describe_error(refused) == "SMTPRecipientsRefused"
    assert describe_error(smtplib.SMTPDataError(554, address)) == "SMTPDataError (SMTP 554)"
    assert describe_error(ValueError(address)) == "ValueError"


def test_an_unknown_template_or_channel_fails_where_it_is_queued() -> None:
    application = ApplicationFactory()
    with pytest.raises(LookupError):
        notification_queue(
            municipality=application.municipality,
            template="applications/nothing",
            reference=application.pk,
            language="ja",
        )
    with pytest.raises(LookupError):
        notification_queue(
            municipality=application.municipality,
            template="applications/receipt",
            reference=application.pk,
            language="ja",
            channel="pigeon",
        )


class TextMessages:
    """A second channel (as SMS would be): its own rendering, the same path."""

    name = "test-sms"

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    def render(
        self, *, template: str, recipient: str, context: Mapping[str, Any]
    ) -> OutgoingMessage:
        return OutgoingMessage(recipient, "", f"{template}: {context['access_code']}")

    def send(self, message: OutgoingMessage) -> None:
        self.sent.append(message)


@pytest.fixture
def text_messages() -> Iterator[TextMessages]:
    channel = TextMessages()
    channels.register(channel)
    yield channel
    channels._REGISTRY.pop(channel.name)


def test_another_channel_plugs_in_behind_the_same_protocol(text_messages: TextMessages) -> None:
    application = ApplicationFactory()
    notification = notification_queue(
        municipality=application.municipality,
        template="applications/receipt",
        reference=application.pk,
        language="ja",
        sealed={"access_code": ACCESS_CODE},
        channel=text_messages.name,
    )
    assert notification_deliver(notification_id=notification.pk) == "sent"
    assert text_messages.sent == [
        OutgoingMessage("hanako@example.jp", "", f"applications/receipt: {ACCESS_CODE}")
    ]
    assert mail.outbox == []


def test_prune_gives_up_what_waited_too_long_and_deletes_old_finished_rows(
    mail_server_down: int,
) -> None:
    stale = _receipt(ApplicationFactory())
    notification_deliver(notification_id=stale.pk)
    later = timezone.now() + timedelta(days=31)
    report = finished_work_prune(now=later)
    assert (report.expired, report.notifications) == (1, 0)
    stale.refresh_from_db()
    assert (stale.state, stale.sealed, stale.last_error) == ("failed", "", "expired")
    assert finished_work_prune(now=later + timedelta(days=31)).notifications == 1


def test_without_a_deferring_worker_the_next_mail_sent_takes_due_retries_along(
    mail_server_down: int, settings: Any
) -> None:
    waiting = [_receipt(ApplicationFactory()) for _ in range(2)]
    for notification in waiting:
        assert notification_deliver(notification_id=notification.pk) == "queued"
    Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)  # their wait is over
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # server back
    assert not deliver.get_backend().supports_defer  # the immediate backend of the tests
    fresh = _receipt(ApplicationFactory())
    deliver.call(notification_id=fresh.pk)
    assert len(mail.outbox) == 3
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
