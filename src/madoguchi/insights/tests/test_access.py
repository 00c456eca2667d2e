"""Who sees which figures: managers their own municipality, prefecture users their region's
aggregates, counter and back-office clerks nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory

from .factories import small_town

pytestmark = pytest.mark.django_db

DASHBOARD_URLS = [
    reverse("insights:dashboard"),
    reverse("insights:table_csv") + "?chart=waits",
    reverse("insights:opendata_csv"),
]
REGION_URLS = [
    reverse("insights:region"),
    reverse("insights:region_csv"),
    reverse("insights:region_opendata_csv"),
]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("trait", ["counter", "back_office"])
def test_clerks_see_no_dashboard(trait: str) -> None:
    town = small_town()["municipality"]
    kwargs = {"counter": True} if trait == "counter" else {"role": Role.BACK_OFFICE}
    client = _client(StaffUserFactory(municipality=town, **kwargs))
    for url in DASHBOARD_URLS + REGION_URLS:
        assert client.get(url).status_code == 403, url


def test_manager_sees_own_figures_only() -> None:
    mine = small_town()
    other = small_town()
    client = _client(StaffUserFactory(municipality=mine["municipality"], manager=True))
    page = client.get(reverse("insights:dashboard"))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    body = page.content.decode()
    assert mine["procedure"].name in body
    assert other["procedure"].name not in body
    # A municipality's manager is no prefecture user.
    assert client.get(reverse("insights:region")).status_code == 403


def test_another_municipality_manager_sees_nothing_of_yours() -> None:
    mine = small_town()
    stranger = StaffUserFactory(municipality=MunicipalityFactory(), manager=True)
    client = _client(stranger)
    body = client.get(reverse("insights:dashboard")).content.decode()
    assert mine["procedure"].name not in body
    csv_text = client.get(reverse("insights:table_csv") + "?chart=by-procedure").content
    assert mine["procedure"].name.encode() not in csv_text


def test_prefecture_user_sees_only_its_municipalities_aggregates() -> None:
    shizuoka = PrefectureFactory()
    aichi = PrefectureFactory(code="230006", name="愛知県")
    inside = small_town(MunicipalityFactory(prefecture=shizuoka, name="管内市"))
    outside = small_town(MunicipalityFactory(prefecture=aichi, name="管外市"))
    viewer = StaffUserFactory(municipality=None, prefecture=shizuoka, role=Role.PREFECTURE_VIEWER)
    client = _client(viewer)
    page = client.get(reverse("insights:region"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "管内市" in body and "管外市" not in body
    # Aggregates only: no procedure names, receipt numbers or ticket numbers of a resident.
    assert inside["procedure"].name not in body
    assert outside["procedure"].name not in body
    csv_text = client.get(reverse("insights:region_csv")).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("管内市")
    # The municipality dashboards are not for prefecture users.
    assert client.get(reverse("insights:dashboard")).status_code == 403


def test_staff_menu_links_to_the_figures_for_those_who_may_see_them() -> None:
    town = small_town()["municipality"]
    manager = _client(StaffUserFactory(municipality=town, manager=True))
    clerk = _client(StaffUserFactory(municipality=town, counter=True))
    dashboard = reverse("insights:dashboard")
    assert dashboard in manager.get(reverse("accounts:home")).content.decode()
    assert dashboard not in clerk.get(reverse("accounts:home")).content.decode()
    viewer = _client(
        StaffUserFactory(municipality=None, prefecture=town.prefecture, role=Role.PREFECTURE_VIEWER)
    )
    assert reverse("insights:region") in viewer.get(reverse("accounts:home")).content.decode()
