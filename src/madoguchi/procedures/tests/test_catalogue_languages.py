"""The catalogue's texts in the reader's language: Japanese, English (with a visible fallback where
a text has no translation) and やさしい日本語; booking pages, mails' lists and trust pages too."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.core.localized_text import EASY_JAPANESE_COOKIE
from madoguchi.procedures.library import load_library
from madoguchi.procedures.models import LifeEvent, Procedure
from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.reservations.calendar_days import HallCalendar
from madoguchi.reservations.models import CalendarException, ReservationPolicy, Service
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

CATALOGUE = ("summary", "description", "eligibility", "what_to_bring", "fees", "department")


@pytest.fixture
def town() -> Any:
    municipality = MunicipalityFactory(
        department="市民課", department_en="Citizens Division", opening_note="土日は閉庁"
    )
    library_install(municipality=municipality, publish=True)
    life_events_install(municipality=municipality)
    return municipality


def _get(client: Client, url: str, language: str = "ja", *, easy: bool = False) -> str:
    if easy:
        client.cookies[EASY_JAPANESE_COOKIE] = "1"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_standard_library_is_translated_into_english() -> None:
    for entry in load_library():
        for field in CATALOGUE:
            if entry.get(field):
                assert entry.get(f"{field}_en"), f"{entry['slug']}: {field}_en"
        if "what_to_bring_en" in entry:
            assert len(entry["what_to_bring_en"]) == len(entry["what_to_bring"]), entry["slug"]
        if "what_to_bring_easy" in entry:
            assert len(entry["what_to_bring_easy"]) == len(entry["what_to_bring"]), entry["slug"]
    assert sum("summary_easy" in e for e in load_library()) >= 3


def test_installing_the_library_fills_english_and_easy_japanese(town: Any) -> None:
    procedure = Procedure.objects.get(municipality=town, slug="residence-certificate")
    assert procedure.fees_en.startswith("300 yen")
    assert procedure.what_to_bring_en.count("\n") == procedure.what_to_bring.count("\n")
    assert procedure.summary_easy
    assert LifeEvent.objects.get(municipality=town, slug="moving").description_easy


def test_procedure_page_in_japanese(client: Client, town: Any) -> None:
    html = _get(client, f"/{town.code}/procedures/residence-certificate/")
    assert "1通300円" in html and "300 yen" not in html
    assert "mg-lang-badge" not in html
    assert "やさしい日本語" in html  # the switch is offered on Japanese pages


def test_procedure_page_in_english_with_one_text_untranslated(client: Client, town: Any) -> None:
    Procedure.objects.filter(municipality=town, slug="residence-certificate").update(fees_en="")
    html = _get(client, f"/{town.code}/procedures/residence-certificate/", "en")
    assert "Request a copy of your residence certificate" in html
    assert "Proof of identity" in html and "Citizens Division" in html
    # The one untranslated text: in Japanese, marked as such, with a badge the reader can read.
    fees = re.search(r'<dd class="mg-localized" lang="ja" data-fallback="true">(.*?)</dd>', html)
    assert fees is not None
    assert "Japanese only" in fees.group(1) and "1通300円" in fees.group(1)
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("mg-lang-badge") == 1
    assert "やさしい日本語" not in html  # not offered outside Japanese


def test_procedure_page_in_easy_japanese(client: Client, town: Any) -> None:
    html = _get(client, f"/{town.code}/procedures/residence-certificate/", easy=True)
    assert "住民票の 写しを 申し込んで、郵便で 受け取ります。" in html
    assert "本人確認書類（インターネットで 申し込む ときは" in html
    assert "やさしい日本語をやめる" in html
    # Texts without a やさしい日本語 version stay ordinary Japanese, without a badge.
    assert "1通300円" in html and "mg-lang-badge" not in html
    # An English reader with the cookie still reads English.
    assert "300 yen" in _get(client, f"/{town.code}/procedures/residence-certificate/", "en")


def test_list_search_and_life_event_pages_use_the_rule(client: Client, town: Any) -> None:
    html = _get(client, f"/{town.code}/", "en")
    assert "Book a collection from your home" in html
    html = _get(client, f"/{town.code}/?q=住民票", "en")
    assert "Request a copy of your residence certificate (juminhyo)" in html
    html = _get(client, f"/{town.code}/life-events/moving/", "en")
    assert "What to do when you move" in html
    html = _get(client, f"/{town.code}/life-events/moving/", easy=True)
    assert "ほかの 市や 町に 引っ越すとき" in html
    assert "ほかの 市や 町に 引っ越す ときの 届けです。" in html  # moving-out's easy summary


def test_footer_contact_texts_in_english(client: Client, town: Any) -> None:
    html = _get(client, f"/{town.code}/", "en")
    assert "Citizens Division" in html
    # The opening note has no English: shown in Japanese with the badge.
    assert re.search(
        r'lang="ja" data-fallback="true"><span class="mg-lang-badge"[^>]*>Japanese only', html
    )


def test_booking_pages_show_service_texts_and_closed_day_notes_in_english(
    client: Client, town: Any
) -> None:
    ReservationPolicy.objects.get_or_create(municipality=town)
    Service.objects.create(
        municipality=town,
        name="住民票・証明書",
        name_en="Certificates",
        series="A",
        description="住民票の写しなど",
        description_en="Copies of the residence certificate and more",
    )
    html = _get(client, f"/{town.code}/reserve/", "en")
    assert "Certificates" in html and "Copies of the residence certificate and more" in html
    day = date.today() + timedelta(days=10)
    CalendarException.objects.create(
        municipality=town,
        date=day,
        closed=True,
        note="点検のため閉庁",
        note_en="Closed for inspection",
    )
    policy = ReservationPolicy.objects.get(municipality=town)
    from django.utils import translation

    calendar = HallCalendar(municipality=town, policy=policy, first=day, last=day)
    with translation.override("en"):
        reason = calendar.hours(day).closed_reason
    assert (reason.text, reason.lang, reason.is_fallback) == ("Closed for inspection", "en", False)
    with translation.override("ja"):
        assert calendar.hours(day).closed_reason.text == "点検のため閉庁"
    CalendarException.objects.filter(date=day).update(note_en="")
    calendar = HallCalendar(municipality=town, policy=policy, first=day, last=day)
    with translation.override("en"):
        reason = calendar.hours(day).closed_reason
    assert reason.is_fallback and reason.badge == "Japanese only"


def test_what_to_bring_for_a_booking_follows_the_reader(town: Any) -> None:
    from django.utils import translation

    from madoguchi.reservations.models import Booking
    from madoguchi.reservations.services import booking_what_to_bring

    service = Service.objects.create(municipality=town, name="証明書", series="A")
    service.procedures.set(Procedure.objects.filter(municipality=town, slug="seal-certificate"))
    start = timezone.now() + timedelta(days=3)
    booking = Booking.objects.create(
        municipality=town,
        service=service,
        code="ABCD1234",
        secret_hash="x",
        start=start,
        end=start + timedelta(minutes=15),
        name="見本",
        contact_hash="y",
        submission_token="t",
    )
    with translation.override("en"):
        ((name, text),) = booking_what_to_bring(booking=booking)
    assert name == "Request for a certificate of seal registration"
    assert text.lines == ["Seal registration card", "The fee"]
    with translation.override("ja"):
        ((name, text),) = booking_what_to_bring(booking=booking)
    assert text.lines == ["印鑑登録証（カード）", "手数料"]


def test_trust_page_falls_back_visibly(client: Client, town: Any) -> None:
    from madoguchi.tenancy.models import TrustPage

    TrustPage.objects.create(
        municipality=town, kind="terms", body="規約の本文", updated_on=date.today()
    )
    html = _get(client, f"/{town.code}/about/terms/", "en")
    assert "This page is in Japanese only." in html
    assert 'class="mg-localized mg-prose" lang="ja"' in html
    TrustPage.objects.filter(municipality=town).update(body_en="The terms")
    html = _get(client, f"/{town.code}/about/terms/", "en")
    assert 'lang="en"' in html and "The terms" in html


def test_the_demo_fills_the_english_texts() -> None:
    from django.core.management import call_command

    from madoguchi.demo import demo_load

    town = demo_load()
    call_command("reservations_demo", town.code, verbosity=0)
    call_command("reservations_demo", town.code, verbosity=0)  # re-runnable
    town.refresh_from_db()
    assert town.department_en and town.address_en and town.opening_note_en
    for service in Service.objects.filter(municipality=town):
        assert service.name_en and service.description_en
    closed = CalendarException.objects.get(municipality=town)
    assert closed.note and closed.note_en
    for procedure in Procedure.objects.filter(municipality=town):
        assert procedure.summary_en and procedure.description_en and procedure.fees_en
