"""The municipality administrator edits windows, opening hours and closed days, and rotates the
kiosk key; no other role may (issue 11, item 12)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.reservations.models import CalendarException, ReservationPolicy, Window
from madoguchi.tenancy.models import OpeningHours

from .factories import ServiceFactory, hall

pytestmark = pytest.mark.django_db

PAGES = ["settings", "window_add", "hours"]


@pytest.mark.parametrize("role", ["counter", "back_office", "manager"])
def test_only_the_municipality_admin_configures_the_hall(client: Client, role: str) -> None:
    municipality, _service, _windows = hall()
    client.force_login(StaffUserFactory(municipality=municipality, role=role))
    for name in PAGES:
        assert client.get(reverse(f"reservations_staff:{name}")).status_code == 403, name
    post = client.post(reverse("reservations_staff:hours"), {})
    assert post.status_code == 403
    assert client.post(reverse("reservations_staff:kiosk_key_rotate")).status_code == 403


def test_admin_edits_windows(client: Client) -> None:
    municipality, service, _windows = hall(windows=1)
    other_service = ServiceFactory(municipality=municipality, series="B", name="転入・転出")
    client.force_login(StaffUserFactory(municipality=municipality, admin=True))
    assert client.get(reverse("reservations_staff:settings")).status_code == 200
    added = client.post(
        reverse("reservations_staff:window_add"),
        {
            "name": "7番窓口",
            "label": "7",
            "services": [service.pk, other_service.pk],
            "accepts_bookings": "on",
            "is_active": "on",
            "sort_order": "7",
        },
    )
    assert added.status_code == 302
    window = Window.objects.get(label="7")
    assert window.municipality == municipality and window.services.count() == 2
    # The same label twice is refused with a message, not an error page.
    duplicate = client.post(
        reverse("reservations_staff:window_add"),
        {"name": "別の窓口", "label": "7", "is_active": "on", "sort_order": "1"},
    )
    assert duplicate.status_code == 400
    assert "ほかの窓口で使われています" in duplicate.content.decode()
    # Stop a window: it stays (tickets refer to it) but is no longer active.
    edit = reverse("reservations_staff:window_edit", args=[window.pk])
    client.post(edit, {"name": "7番窓口", "label": "7", "sort_order": "7"})
    window.refresh_from_db()
    assert not window.is_active and not window.accepts_bookings


def test_admin_cannot_touch_another_towns_rows(client: Client) -> None:
    municipality, _service, _ = hall()
    other, _other_service, other_windows = hall()
    closed = CalendarException.objects.create(
        municipality=other, date=timezone.localdate() + timedelta(days=3), note="よその町"
    )
    client.force_login(StaffUserFactory(municipality=municipality, admin=True))
    edit = reverse("reservations_staff:window_edit", args=[other_windows[0].pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "x", "label": "9", "sort_order": "1"}).status_code == 404
    delete = reverse("reservations_staff:closed_day_delete", args=[closed.pk])
    assert client.post(delete).status_code == 404
    assert CalendarException.objects.filter(pk=closed.pk).exists()
    assert "よその町" not in client.get(reverse("reservations_staff:settings")).content.decode()


def test_admin_sets_opening_hours(client: Client) -> None:
    municipality, _service, _ = hall()
    client.force_login(StaffUserFactory(municipality=municipality, admin=True))
    form = client.get(reverse("reservations_staff:hours")).content.decode()
    assert 'value="08:30"' in form
    data = {f"opens_{d}": "09:00" for d in range(5)} | {f"closes_{d}": "16:00" for d in range(5)}
    data |= {"opens_5": "09:00", "closes_5": "12:00"}  # Saturday mornings
    assert client.post(reverse("reservations_staff:hours"), data).status_code == 302
    hours = OpeningHours.objects.filter(municipality=municipality)
    assert hours.count() == 6
    assert hours.get(weekday=5).closes == time(12, 0)
    # Half a period, or closing before opening, is refused with a message per day.
    bad = client.post(
        reverse("reservations_staff:hours"),
        {"opens_0": "09:00", "opens_1": "17:00", "closes_1": "09:00"},
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "月曜日：開庁と閉庁の両方" in page and "火曜日：開庁の時刻は閉庁の時刻より前" in page
    assert hours.count() == 6


def test_admin_adds_and_removes_closed_days(client: Client) -> None:
    municipality, _service, _ = hall()
    client.force_login(StaffUserFactory(municipality=municipality, admin=True))
    day = timezone.localdate() + timedelta(days=10)
    url = reverse("reservations_staff:closed_day_add")
    added = client.post(url, {"date": day.isoformat(), "closed": "on", "note": "庁舎点検"})
    assert added.status_code == 302
    assert CalendarException.objects.get(municipality=municipality).note == "庁舎点検"
    again = client.post(url, {"date": day.isoformat(), "closed": "on"})
    assert again.status_code == 400 and "すでに登録されています" in again.content.decode()
    special = client.post(url, {"date": (day + timedelta(days=1)).isoformat(), "note": "休日開庁"})
    assert special.status_code == 400  # not closed, but no hours given
    page = client.get(reverse("reservations_staff:settings")).content.decode()
    assert "庁舎点検" in page
    exception = CalendarException.objects.get(municipality=municipality)
    client.post(reverse("reservations_staff:closed_day_delete", args=[exception.pk]))
    assert not CalendarException.objects.filter(municipality=municipality).exists()


def test_admin_rotates_the_kiosk_key(client: Client) -> None:
    municipality, _service, _ = hall()
    before = ReservationPolicy.objects.get(municipality=municipality).kiosk_key
    client.force_login(StaffUserFactory(municipality=municipality, admin=True))
    rotated = client.post(reverse("reservations_staff:kiosk_key_rotate"), follow=True)
    after = ReservationPolicy.objects.get(municipality=municipality).kiosk_key
    assert after != before and "受付機の鍵を変更しました" in rotated.content.decode()
