"""Trust pages: each municipality's privacy notice, terms and accessibility statement, as data."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.applications.tests.factories import FormVersionFactory, ProcedureFactory
from madoguchi.tenancy.demo_data import trust_pages_fill
from madoguchi.tenancy.models import TrustPage

from .factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

KINDS = ["privacy", "terms", "accessibility"]


def _url(town: object, kind: str) -> str:
    return reverse("tenancy:trust_page", args=[town.code, kind])  # type: ignore[attr-defined]


def test_every_resident_page_footer_links_the_three_pages(client: Client) -> None:
    town = MunicipalityFactory()
    for path in (f"/{town.code}/", f"/{town.code}/reserve/", f"/{town.code}/status/"):
        body = client.get(path).content.decode()
        for kind in KINDS:
            assert f'href="{_url(town, kind)}"' in body, (path, kind)


def test_pages_show_the_towns_own_text_in_the_readers_language(client: Client) -> None:
    town = MunicipalityFactory(name="窓口町", name_en="Madoguchi Town")
    other = MunicipalityFactory()
    assert trust_pages_fill(municipality=town) == 3
    assert trust_pages_fill(municipality=town) == 0  # safe to run again
    TrustPage.objects.create(
        municipality=other, kind="privacy", body="よその町の方針", updated_on=date(2026, 1, 1)
    )
    ja = client.get(_url(town, "accessibility")).content.decode()
    assert "JIS X 8341-3:2016" in ja and "窓口町は" in ja and "よその町" not in ja
    en = client.get(_url(town, "privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Madoguchi Town handles the personal information" in en
    # Without an English text the Japanese one is shown, marked as Japanese only.
    TrustPage.objects.filter(municipality=town, kind="terms").update(body_en="")
    fallback = client.get(_url(town, "terms"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "このオンライン窓口は" in fallback and "Japanese only" in fallback


def test_missing_page_says_whom_to_ask_and_unknown_kind_is_404(client: Client) -> None:
    town = MunicipalityFactory()
    page = client.get(_url(town, "terms"))
    assert page.status_code == 200 and "まだ掲載していません" in page.content.decode()
    assert client.get(f"/{town.code}/about/secrets/").status_code == 404


def test_consent_step_links_the_privacy_notice(client: Client) -> None:
    town = MunicipalityFactory()
    definition = {
        "steps": [
            {
                "key": "declaration",
                "title": "確認事項",
                "fields": [
                    {
                        "key": "consent",
                        "type": "checkbox",
                        "label": "確認事項",
                        "required": True,
                        "checkbox_label": "内容を共有することに同意します。",
                    }
                ],
            }
        ]
    }
    version = FormVersionFactory(
        procedure=ProcedureFactory(municipality=town), definition=definition
    )
    slug = version.procedure.slug
    started = client.post(f"/{town.code}/procedures/{slug}/apply/", follow=True)
    body = started.content.decode()
    assert "内容を共有することに同意します。" in body
    assert f'href="{_url(town, "privacy")}"' in body


def test_the_admin_edits_only_their_towns_pages(client: Client) -> None:
    from madoguchi.accounts.tests.factories import StaffUserFactory

    town, other = MunicipalityFactory(), MunicipalityFactory()
    trust_pages_fill(municipality=other)
    admin = StaffUserFactory(municipality=town, role="municipality_admin", is_staff=True)
    client.force_login(admin)
    listing = client.get("/staff/admin/tenancy/trustpage/")
    assert listing.status_code == 200
    added = client.post(
        "/staff/admin/tenancy/trustpage/add/",
        {"kind": "privacy", "body": "私たちの方針", "body_en": "", "updated_on": "2026-05-01"},
    )
    assert added.status_code == 302
    assert TrustPage.objects.get(municipality=town).body == "私たちの方針"
    duplicate = client.post(
        "/staff/admin/tenancy/trustpage/add/",
        {"kind": "privacy", "body": "二つ目", "body_en": "", "updated_on": "2026-05-01"},
    )
    assert duplicate.status_code == 200 and TrustPage.objects.filter(municipality=town).count() == 1
