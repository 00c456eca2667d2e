"""NUL characters are refused at the door with a message, wherever they are in the request."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_nul_in_path_query_form_or_json_is_refused_with_a_message(client) -> None:
    for response in (
        client.get("/99999%00/"),
        client.get("/healthz?q=a%00b"),
        client.get("/healthz?a%00=1"),
        client.post("/staff/login/", {"username": "a\x00b", "password": "x"}),
    ):
        assert response.status_code == 400
        assert "NUL" in response.content.decode()
    api = client.post(
        "/api/v1/229008/applications", '{"procedure": "a\\u0000"}', content_type="application/json"
    )
    assert api.status_code == 422
    assert "NUL" in api.json()["message"]
    assert "NUL" in client.get("/api/v1/229008/procedures?q=%00").json()["detail"]
    body = '{"procedure": "p", "answers": {"name": "a\\u0000", "kana": "ア"}}'
    api = client.post("/api/v1/229008/applications", body, content_type="application/json")
    assert list(api.json()["errors"]) == ["answers.name"]
    deep = "[" * 100_000 + '"\\u0000"' + "]" * 100_000
    api = client.post("/api/v1/229008/applications", deep, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"]


def test_the_refusal_speaks_english_to_an_english_reader(client) -> None:
    response = client.get("/healthz?q=%00", headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "control character (NUL)" in response.content.decode()


def test_requests_without_nul_pass(client) -> None:
    assert client.get("/healthz?q=abc").status_code == 200


def test_admin_date_hierarchy_past_the_calendar_is_an_invalid_filter(client) -> None:
    from madoguchi.accounts.tests.factories import StaffUserFactory

    client.force_login(
        StaffUserFactory(municipality=None, role="", is_staff=True, is_superuser=True)
    )
    for query in ("start__year=99999999999999999999999", "start__year=9999&start__month=12"):
        response = client.get(f"/staff/admin/reservations/booking/?{query}")
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")


def test_a_very_long_username_at_the_login_doors_is_no_error(client) -> None:
    response = client.post("/staff/login/", {"username": "あ" * 3000, "password": "x"})
    assert response.status_code in (200, 403, 429)
    # The admin's door only sends people to the staff login (one door, one policy).
    response = client.post("/staff/admin/login/", {"username": "あ" * 3000, "password": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
