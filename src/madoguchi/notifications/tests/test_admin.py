"""The outbox in the admin shows states and errors, never what is sealed."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.notifications.services import notification_queue

pytestmark = pytest.mark.django_db


def test_the_outbox_is_read_only_and_shows_no_secret(client: Client) -> None:
    application = ApplicationFactory()
    notification = notification_queue(
        municipality=application.municipality,
        template="applications/receipt",
        reference=application.pk,
        language="ja",
        sealed={"access_code": "48151623"},
    )
    client.force_login(
        StaffUserFactory(municipality=application.municipality, is_staff=True, is_superuser=True)
    )
    base = "/staff/admin/notifications/notification/"
    listing = client.get(base)
    detail = client.get(f"{base}{notification.pk}/change/")
    assert listing.status_code == detail.status_code == 200
    assert "applications/receipt" in listing.content.decode()
    for page in (listing, detail):
        text = page.content.decode()
        assert "48151623" not in text and notification.sealed not in text
        assert "hanako@example.jp" not in text
    assert client.post(f"{base}{notification.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
