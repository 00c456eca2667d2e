"""The product's own error pages: the reader's language, a way back, never Django's own page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, override_settings

from madoguchi import urls
from madoguchi.tenancy import views
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_handlers_are_the_products() -> None:
    assert urls.handler404 is views.page_not_found
    assert urls.handler403 is views.permission_denied
    assert urls.handler500 is views.server_error


@pytest.mark.parametrize(
    ("language", "title", "back"),
    [("ja", "ページが見つかりません", "手続の一覧に戻る"), ("en", "Page not found", "Back to")],
)
def test_404_inside_a_town_links_back_to_its_front_page(
    client: Client, language: str, title: str, back: str
) -> None:
    town = MunicipalityFactory()
    # A procedure that is not there, and an address no view answers (the town only in the path).
    for path in (f"/{town.code}/procedures/no-such/", f"/{town.code}/no-such-page/"):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        body = page.content.decode()
        assert page.status_code == 404
        assert title in body and back in body
        assert f'href="/{town.code}/"' in body
        assert "Django" not in body and "Traceback" not in body


def test_404_outside_a_town_links_to_the_index_or_staff_menu(client: Client) -> None:
    page = client.get("/999999/nothing/")
    assert page.status_code == 404 and 'href="/"' in page.content.decode()
    staff = client.get("/staff/nothing-here/")
    assert staff.status_code == 404 and 'href="/staff/"' in staff.content.decode()


def test_403_page(client: Client, rf: object) -> None:
    request = client.get("/").wsgi_request
    page = views.permission_denied(request)
    assert page.status_code == 403 and "権限がありません" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "text"),
    [("ja", "送信を受け付けられませんでした"), ("en", "could not accept")],
)
def test_csrf_failure_page(language: str, text: str) -> None:
    town = MunicipalityFactory()
    client = Client(enforce_csrf_checks=True)
    page = client.post(f"/{town.code}/reserve/find/", {"code": "x"}, HTTP_ACCEPT_LANGUAGE=language)
    body = page.content.decode()
    assert page.status_code == 403
    assert text in body and "CSRF verification failed" not in body
    assert f'href="/{town.code}/"' in body


@override_settings(ROOT_URLCONF="madoguchi.tenancy.tests.error_urls", DEBUG=False)
@pytest.mark.parametrize(("language", "text"), [("ja", "エラーが発生しました"), ("en", "Error")])
def test_500_page_in_the_readers_language(language: str, text: str) -> None:
    client = Client(raise_request_exception=False)
    page = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    body = page.content.decode()
    assert page.status_code == 500
    assert text in body and 'href="/"' in body and "Traceback" not in body


def test_500_page_renders_without_a_database(rf: object) -> None:
    """The page needs no query: it renders even while the database is down."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the 500 page queried the database")

    with connection.execute_wrapper(refuse):
        page = views.server_error(request)
    assert page.status_code == 500 and "エラーが発生しました" in page.content.decode()


def test_the_demo_runs_with_debug_off() -> None:
    """settings.dev (the demo's) leaves DEBUG off, so the handlers above are used there too."""
    import ast
    from pathlib import Path

    source = Path(views.__file__).parent.parent / "settings" / "dev.py"
    calls = [
        node
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "setdefault"
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == "DEBUG"
    ]
    assert [c.args[1].value for c in calls] == ["false"]  # type: ignore[attr-defined]
