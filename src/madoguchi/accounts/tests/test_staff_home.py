"""Each role lands on its work (issue 11, item 12), and who is signed in is always visible."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory, back_office_user
from madoguchi.reservations.tests.factories import hall

pytestmark = pytest.mark.django_db


def _home(client: Client, user: Any) -> str:
    client.force_login(user)
    page = client.get(reverse("accounts:home"))
    assert page.status_code == 200
    return page.content.decode()


def _panels(body: str) -> list[str]:
    return re.findall(r'data-panel="([a-z_]+)"', body)


def test_the_counter_clerk_lands_on_the_console(client: Client) -> None:
    town, _service, windows = hall(windows=2)
    body = _home(client, StaffUserFactory(municipality=town, counter=True))
    assert _panels(body)[0] == "counter"
    assert reverse("reservations_staff:console", args=[windows[0].pk]) in body
    assert "inbox" not in _panels(body) and "hall" not in _panels(body)


def test_the_back_office_clerk_lands_on_the_inbox_with_counts(client: Client) -> None:
    application = ApplicationFactory()
    user = back_office_user(application.procedure)
    body = _home(client, user)
    assert _panels(body)[0] == "inbox"
    inbox = reverse("applications_staff:inbox")
    assert f'href="{inbox}?status=received"' in body
    assert re.search(r"受付箱（処理中のすべて） <span class=\"mg-count\">1<", body)
    assert "counter" not in _panels(body)


def test_the_manager_lands_on_the_figures(client: Client) -> None:
    town, _service, _ = hall()
    body = _home(client, StaffUserFactory(municipality=town, manager=True))
    assert _panels(body)[0] == "figures"
    assert "今日の来庁（番号札）" in body and "未処理の申請" in body
    assert 'href="/staff/insights/"' in body  # the dashboards


def test_the_municipality_admin_lands_on_configuration(client: Client) -> None:
    town, _service, _ = hall()
    body = _home(client, StaffUserFactory(municipality=town, admin=True))
    panels = _panels(body)
    assert set(panels[:2]) == {"hall", "configuration"}
    assert reverse("reservations_staff:hours") in body
    assert reverse("admin:tenancy_trustpage_changelist") in body


@pytest.mark.parametrize("role", [Role.COUNTER, Role.MANAGER, Role.MUNICIPALITY_ADMIN])
def test_who_is_signed_in_is_in_every_staff_header(client: Client, role: str) -> None:
    town, _service, _ = hall()
    user = StaffUserFactory(municipality=town, role=role, last_name="窓口", first_name="花子")
    client.force_login(user)
    for path in ("/staff/", "/staff/reservations/", "/staff/faq/"):
        page = client.get(path)
        if page.status_code != 200:
            continue
        header = page.content.decode().split("</header>")[0]
        assert "窓口 花子" in header or "窓口花子" in header, path
        assert reverse("accounts:logout") in header
    # Resident pages do not carry the staff member's name.
    assert "花子" not in client.get(f"/{town.code}/").content.decode().split("</header>")[0]
