"""The catalogue's search and life-event pages, as a resident's browser without JavaScript sees them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> Any:
    municipality = MunicipalityFactory(phone="0559-00-1234", email="madoguchi@example.jp")
    library_install(municipality=municipality, publish=True)
    life_events_install(municipality=municipality)
    return municipality


def test_home_offers_life_events_as_entry_points(client: Any, town: Any) -> None:
    page = client.get(f"/{town.code}/").content.decode()
    assert "ライフイベントから探す" in page
    for name in (
        "妊娠・出産",
        "引っ越し",
        "介護",
        "おくやみ（ご家族が亡くなったとき）",
        "災害にあったとき",
    ):
        assert name in page
    assert f'href="/{town.code}/life-events/moving/"' in page


def test_life_event_page_lists_its_procedures(client: Any, town: Any) -> None:
    response = client.get(f"/{town.code}/life-events/moving/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "引っ越し" in page
    assert "転出届" in page
    assert f'href="/{town.code}/procedures/moving-out/"' in page
    assert "犬の登録" in page
    assert "要介護" not in page
    # In the event's own order: the move itself first.
    assert page.index("転出届") < page.index("児童手当")


def test_unknown_life_event_or_another_towns_is_404(client: Any, town: Any) -> None:
    other = MunicipalityFactory()
    assert client.get(f"/{town.code}/life-events/nothing/").status_code == 404
    assert client.get(f"/{other.code}/life-events/moving/").status_code == 404


def test_search_ranks_what_happened_to_the_resident(client: Any, town: Any) -> None:
    page = client.get(f"/{town.code}/", {"q": "子どもが生まれた"}).content.decode()
    assert "児童手当" in page
    assert "該当する手続が見つかりませんでした" not in page
    # Life events are entry points for browsing, not repeated above search results.
    assert "ライフイベントから探す" not in page


def test_search_without_a_hit_offers_the_faq_and_the_desk(client: Any, town: Any) -> None:
    phrase = "ドローンを飛ばしたい"
    page = client.get(f"/{town.code}/", {"q": phrase}).content.decode()
    assert "該当する手続が見つかりませんでした" in page
    # The resident's own words go to the FAQ search.
    assert f'href="/{town.code}/faq/?q={quote(phrase)}"' in page
    assert 'href="tel:0559-00-1234"' in page
    assert 'href="mailto:madoguchi@example.jp"' in page


def test_faq_link_takes_the_phrase_to_the_faq_page(client: Any, town: Any) -> None:
    response = client.get(f"/{town.code}/faq/", {"q": "ドローンを飛ばしたい"})
    assert response.status_code == 200
    assert "ドローンを飛ばしたい" in response.content.decode()


def test_life_events_in_english(client: Any, town: Any) -> None:
    client.cookies["django_language"] = "en"
    page = client.get(f"/{town.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Find by life event" in page
    assert "Moving house" in page
    page = client.get(
        f"/{town.code}/life-events/birth/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Pregnancy and birth" in page
    assert "Procedures for this event" in page
