"""Every endpoint that sends mail or stores files has a limit, and a limit answers 429 clearly.

The endpoints are discovered, not listed: the project's source is parsed, the functions that
send mail, queue a task or write a file are found (and, to a fixed point, every function that
calls one of them), and every view of the URLConf calling one of those must declare a rate
limit (``core.ratelimit.limit`` / ``declare``). Staff views are behind login, 2FA and the audit
trail, and are listed separately.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

import madoguchi
from madoguchi.accounts.guard import STAFF_WRITES
from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.core import ratelimit

pytestmark = pytest.mark.django_db

ROOT = Path(madoguchi.__file__).parent
# What sends mail, queues work (mail is queued) or writes a file.
PRIMITIVES = {"send_mail", "send_mass_mail", "enqueue_on_commit", "enqueue", "default_storage"}
FILE_SAVE_OWNERS = {"file", "storage", "bundle", "default_storage"}
# Method names every library object has (a file's write, a model's or a QR code's save): matched by
# name they would make any view that saves a model or writes to a buffer look like a sink. Their
# real sinks are caught by the owner rule above (`storage.save`) and by the primitives.
GENERIC_METHODS = {"save", "write", "read", "open", "close", "get", "update", "delete"}


def _calls(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                if func.attr not in GENERIC_METHODS:
                    names.add(func.attr)
                owner = func.value
                owner_name = (
                    owner.attr
                    if isinstance(owner, ast.Attribute)
                    else owner.id
                    if isinstance(owner, ast.Name)
                    else ""
                )
                if func.attr == "save" and owner_name in FILE_SAVE_OWNERS:
                    names.add("<file.save>")
        elif isinstance(sub, ast.Name) and sub.id in PRIMITIVES:
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute) and sub.attr in {"on_commit"}:
            names.add(sub.attr)
    return names


def _source_functions() -> dict[str, set[str]]:
    """Every function of the project (not tests, migrations) → the names it calls."""
    functions: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.setdefault(node.name, set()).update(_calls(node))
    return functions


def _sinks(functions: dict[str, set[str]]) -> set[str]:
    direct = PRIMITIVES | {"<file.save>"}
    sinks = {name for name, calls in functions.items() if calls & direct}
    while True:
        more = {name for name, calls in functions.items() if calls & sinks} - sinks
        if not more:
            return sinks
        sinks |= more


def _unwrap(view: Any) -> Any:
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return getattr(view, "view_class", view)


def _views() -> Iterator[tuple[str, Any, Any]]:
    """(route, the view as registered, the function to read) for every URL and API operation."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    from madoguchi.api import api

    for route, callback in walk(get_resolver().url_patterns, "/"):
        if route.startswith("/api/"):
            continue
        yield route, callback, _unwrap(callback)
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                route = f"/api/{prefix}{path}".replace("//", "/")
                yield route, operation.view_func, _unwrap(operation.view_func)


def _mail_or_file_views() -> dict[str, Any]:
    functions = _source_functions()
    sinks = _sinks(functions)
    found = {}
    for route, view, target in _views():
        tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
        calls = _calls(tree)
        if calls & (sinks | PRIMITIVES | {"<file.save>"}):
            found[route] = view
    return found


# Staff-only endpoints: behind login, the second factor, permissions and the audit trail.
STAFF_PREFIXES = ("/staff/",)
# Endpoints that need an API bearer token issued by the municipality (system integration).
TOKEN_ONLY = ("/api/v1/handoff/",)


def _limits(view: Any) -> tuple[str, ...]:
    """The rules a view declares; the admin's views (a ModelAdmin's or the site's own) are served
    through their site's `admin_view`, which on the staff admin counts the staff guard's rule."""
    site = getattr(view, "admin_site", None) or getattr(
        getattr(view, "model_admin", None), "admin_site", None
    )
    if site is not None:
        return ratelimit.limits_of(site.admin_view(view))
    return ratelimit.limits_of(view)


def test_every_endpoint_that_sends_mail_or_stores_files_has_a_limit():
    found = _mail_or_file_views()
    public = {
        route: view
        for route, view in found.items()
        if not route.startswith(STAFF_PREFIXES + TOKEN_ONLY)
    }
    # The discovery works: the endpoints known today are among those found.
    expected = {
        "/<str:municipality_code>/apply/<slug:slug>/<slug:step_key>/",  # uploads
        "/<str:municipality_code>/apply/<slug:slug>/check/",  # submission → receipt mail
        "/<str:municipality_code>/apply/<slug:slug>/saved/",  # resume link by mail
        "/<str:municipality_code>/correction/<str:token>/",  # 補正: files and mail
        "/<str:municipality_code>/reserve/services/<int:service_id>/book/",  # confirmation
        "/api/v1/{code}/applications",  # API submission → receipt mail
    }
    assert expected <= set(public), sorted(public)
    unlimited = [route for route, view in public.items() if not _limits(view)]
    assert unlimited == []
    # Staff endpoints (the admin's too) are limited per staff member by the staff guard's rule.
    staff = [route for route in found if route.startswith(STAFF_PREFIXES)]
    assert staff, "the discovery finds the staff uploads, imports and mailing actions"
    assert [route for route in staff if STAFF_WRITES not in _limits(found[route])] == []
    for view in public.values():
        for name in ratelimit.limits_of(view):
            assert name in ratelimit.RULES
    print(f"mail/file endpoints: {len(found)} found, {len(public)} public, all limited")


@override_settings(RATE_LIMITS={"staff.writes.user": (0, 3600)})
def test_staff_writes_are_limited_per_staff_member(client):
    from madoguchi.accounts.tests.factories import StaffUserFactory

    client.force_login(StaffUserFactory(manager=True))
    response = client.post("/staff/faq/index/rebuild/")
    _assert_refused(response)
    assert client.get("/staff/faq/").status_code == 200  # reading is not counted


@override_settings(RATE_LIMITS={"staff.writes.user": (0, 3600)})
def test_staff_admin_writes_count_against_the_same_limit(client):
    """The admin saves through the apps' services (an FAQ entry queues its index job)."""
    from madoguchi.accounts.tests.factories import StaffUserFactory
    from madoguchi.faq.models import FaqEntry

    user = StaffUserFactory(manager=True, is_staff=True, is_superuser=True)
    client.force_login(user)
    url = "/staff/admin/faq/faqentry/add/"
    assert client.get(url).status_code == 200  # reading is not counted
    _assert_refused(client.post(url, {"question": "粗大ごみ", "answer": "予約制です。"}))
    assert not FaqEntry.objects.exists()


# --- Behaviour: with every limit at 0, each endpoint refuses at once with a clear 429 ----------

ZERO = {name: (0, 3600) for name in ratelimit.RULES}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JA = "しばらく待ってから"
EN = "wait a while"


def _assert_refused(response: Any, *, english: bool = False) -> None:
    assert response.status_code == 429, response.content[:300]
    assert (EN if english else JA) in response.content.decode()


APPLICANT = {
    "name__family": "山田",
    "name__given": "太郎",
    "name__family_kana": "ヤマダ",
    "name__given_kana": "タロウ",
    "birth_date": "1990-01-01",
    "email": "taro@example.jp",
}


@pytest.fixture
def journey(client):
    version = FormVersionFactory()
    code = version.procedure.municipality.code
    slug = version.procedure.slug
    client.post(f"/{code}/procedures/{slug}/apply/")
    return version, code, slug, f"/{code}/apply/{slug}"


@override_settings(RATE_LIMITS=ZERO)
def test_the_resident_journey_endpoints_refuse_over_their_limits(client, journey):
    _version, code, slug, base = journey
    upload = SimpleUploadedFile("住民票.pdf", PDF, content_type="application/pdf")
    response = client.post(f"{base}/documents/", {"id_document": upload, "_action": "next"})
    _assert_refused(response)
    _assert_refused(client.post(f"{base}/check/"))
    # Saving works without mail; sending the link by mail is what is limited.
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "save"})
    _assert_refused(client.post(f"{base}/saved/", {"email": "taro@example.jp"}))
    body = {"procedure": slug, "form_version": 1, "answers": {}}
    api = client.post(f"/api/v1/{code}/applications", body, content_type="application/json")
    assert api.status_code == 429 and JA in api.json()["detail"]
    _assert_refused(client.post(f"/{code}/correction/any-token/"))
    english = client.post(f"{base}/check/", HTTP_ACCEPT_LANGUAGE="en")
    _assert_refused(english, english=True)


@override_settings(RATE_LIMITS=ZERO)
def test_booking_endpoints_refuse_over_their_limits(client):
    from madoguchi.reservations.tests.factories import hall

    municipality, service, _ = hall()
    base = f"/{municipality.code}/reserve"
    _assert_refused(client.post(f"{base}/services/{service.pk}/book/", {"start": "x"}))
    _assert_refused(client.post(f"{base}/bookings/ABCD2345/change/", {"start": "x"}))


def test_resume_mails_are_limited_per_address_and_per_client(client, journey, mailoutbox):
    _version, _code, _slug, base = journey
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "save"})
    limit = ratelimit.RULES["applications.resume_mail.address"].count
    for i in range(limit):
        response = client.post(
            f"{base}/saved/", {"email": "taro@example.jp"}, REMOTE_ADDR=f"192.0.2.{i}"
        )
        assert response.status_code == 302
    # The same address from yet another client: refused, no mail.
    refused = client.post(
        f"{base}/saved/", {"email": "Taro@Example.jp"}, REMOTE_ADDR="198.51.100.1"
    )
    assert refused.status_code == 429 and "メール" in refused.content.decode()
    # Many addresses from one client: the per-client limit.
    per_client = ratelimit.RULES["applications.resume_mail.client"].count
    answers = [
        client.post(
            f"{base}/saved/", {"email": f"p{i}@example.jp"}, REMOTE_ADDR="203.0.113.9"
        ).status_code
        for i in range(per_client + 1)
    ]
    assert answers == [302] * per_client + [429]


def test_status_lookups_are_limited_per_receipt_number_from_any_address(client):
    version = FormVersionFactory(without_files=True)
    code = version.procedure.municipality.code
    limit = ratelimit.RULES["applications.lookup.target"].count
    data = {"receipt_number": "20260101-123456", "access_code": "00000000"}
    for i in range(limit):
        response = client.post(f"/{code}/status/", data, REMOTE_ADDR=f"192.0.2.{i}")
        assert response.status_code == 400
    refused = client.post(f"/{code}/status/", data, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429 and "上限" in refused.content.decode()
    # Another 受付番号 from that address is still answered.
    other = {**data, "receipt_number": "20260101-654321"}
    assert client.post(f"/{code}/status/", other, REMOTE_ADDR="198.51.100.7").status_code == 400


def test_booking_lookups_are_limited_per_booking_code_from_any_address(client):
    from madoguchi.reservations.tests.factories import hall

    municipality, _service, _ = hall()
    limit = ratelimit.RULES["reservations.find.target"].count
    url = f"/{municipality.code}/reserve/find/"
    data = {"code": "ABCD2345", "secret": "123456"}
    statuses = [
        client.post(url, data, REMOTE_ADDR=f"192.0.2.{i}").status_code for i in range(limit + 1)
    ]
    assert statuses == [400] * limit + [429]


def test_a_draft_holds_at_most_the_configured_number_of_files(client, journey, settings):
    from madoguchi.applications.models import Attachment

    _version, _code, _slug, base = journey
    client.post(f"{base}/applicant/", {**APPLICANT, "_action": "next"})
    settings.APPLICATION_MAX_ATTACHMENTS_PER_DRAFT = 1
    for name in ("a.pdf", "b.pdf"):  # the second replaces the first: still one file held
        upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
        response = client.post(f"{base}/documents/", {"id_document": upload, "_action": "next"})
        assert response.status_code == 302
    settings.APPLICATION_MAX_ATTACHMENTS_PER_DRAFT = 0
    upload = SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
    refused = client.post(f"{base}/documents/", {"id_document": upload, "_action": "next"})
    assert refused.status_code == 400
    assert "1件の申請につき0件まで" in refused.content.decode()
    assert Attachment.objects.count() == 2
