"""Printing over HTTP: counter staff print for signature, a resident downloads theirs."""

from __future__ import annotations

import pytest

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory, back_office_user
from madoguchi.core.models import AuditEvent
from madoguchi.tenancy.tests.factories import MunicipalityFactory

from . import pdftools

pytestmark = [pytest.mark.django_db, pytest.mark.urls("madoguchi.applications.tests.urls")]

NAME = {"family": "髙𠮷", "given": "花子", "family_kana": "タカヨシ", "given_kana": "ハナコ"}


def url(application) -> str:
    return f"/staff/counter/applications/{application.pk}/print/"


@pytest.fixture
def counter_application():
    return ApplicationFactory(
        channel="counter",
        receipt_number="20261205-000001",
        answers={"name": dict(NAME), "birth_date": "1975-04-01", "email": "hanako@example.jp"},
    )


def test_counter_clerk_prints_a_counter_application_and_the_print_is_audited(
    client, counter_application
):
    clerk = StaffUserFactory(municipality=counter_application.municipality, counter=True)
    client.force_login(clerk)
    response = client.get(url(counter_application))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="20261205-000001.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdftools.text(response.content)
    assert "タカヨシ ハナコ\n髙𠮷 花子" in text and "昭和50年4月1日" in text
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.view, event.object_id) == (
        clerk,
        "view",
        "counter_staff:print",
        str(counter_application.pk),
    )


def test_another_municipality_or_an_online_application_is_not_found_for_a_counter_clerk(
    client, counter_application
):
    elsewhere = StaffUserFactory(municipality=MunicipalityFactory(), counter=True)
    client.force_login(elsewhere)
    assert client.get(url(counter_application)).status_code == 404
    online = ApplicationFactory(form_version=counter_application.form_version, channel="online")
    client.force_login(StaffUserFactory(municipality=online.municipality, counter=True))
    assert client.get(url(online)).status_code == 404  # not taken at the counter
    assert client.get(url(counter_application)).status_code == 200
    assert AuditEvent.objects.count() == 1  # only the print that happened


def test_back_office_prints_what_it_processes_and_the_detail_page_links_it(client):
    application = ApplicationFactory()
    clerk = back_office_user(application.procedure)
    client.force_login(clerk)
    detail = client.get(f"/staff/applications/{application.pk}/").content.decode()
    assert f'href="{url(application)}"' in detail and "PDFを印刷" in detail
    assert client.get(url(application)).status_code == 200
    other_department = StaffUserFactory(municipality=application.municipality)
    client.force_login(other_department)
    assert client.get(url(application)).status_code == 404


def test_signed_out_and_prefecture_roles_cannot_print(client, counter_application):
    assert client.get(url(counter_application)).status_code == 302
    viewer = StaffUserFactory(
        municipality=None,
        prefecture=counter_application.municipality.prefecture,
        role="prefecture_viewer",
    )
    client.force_login(viewer)
    assert client.get(url(counter_application)).status_code == 403


def test_a_glyph_no_font_has_stops_the_print_with_the_characters_listed(
    client, counter_application
):
    counter_application.answers["name"]["given"] = "花\ue000"
    counter_application.save()
    client.force_login(
        StaffUserFactory(municipality=counter_application.municipality, counter=True)
    )
    response = client.get(url(counter_application))
    assert response.status_code == 422
    page = response.content.decode()
    assert "U+E000" in page and "氏名" in page


def status_lookup(client, application, code="12345678"):
    return client.post(
        f"/{application.municipality.code}/status/",
        {"receipt_number": application.receipt_number, "access_code": code},
    )


def test_resident_downloads_their_form_after_the_access_code(client):
    application = ApplicationFactory(
        answers={"name": dict(NAME), "birth_date": "1975-04-01", "email": "hanako@example.jp"}
    )
    download = f"/{application.municipality.code}/forms/status.pdf"
    assert client.get(download).status_code == 404  # nothing opened yet
    assert status_lookup(client, application, code="00000000").status_code == 400
    assert client.get(download).status_code == 404
    page = status_lookup(client, application).content.decode()
    assert f'href="{download}"' in page
    response = client.get(download)
    assert response.status_code == 200, response.content.decode()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "髙𠮷 花子" in pdftools.text(response.content)
    # The session's opening is for that municipality only.
    other = ApplicationFactory()
    assert client.get(f"/{other.municipality.code}/forms/status.pdf").status_code == 404


def test_resident_downloads_are_limited_per_client(client, settings):
    settings.RATE_LIMITS = {"counter.print.client": (2, 600)}
    application = ApplicationFactory()
    status_lookup(client, application)
    download = f"/{application.municipality.code}/forms/status.pdf"
    assert [client.get(download).status_code for _ in range(3)] == [200, 200, 429]
