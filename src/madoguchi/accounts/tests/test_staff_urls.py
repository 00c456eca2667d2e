"""Every URL under /staff/, read from the URLConf (a new staff URL is covered without editing).

For each URL: anonymous → sign-in; a session that has not passed its second factor → the
verification step (the admin included); each role → exactly what the role table allows (403
otherwise); personal-data views write an audit event; every guarded answer is no-store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.accounts.guard import GuardSpec
from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.handoff.models import ExportRun
from madoguchi.applications.models import Attachment
from madoguchi.applications.tests.factories import ApplicationFactory, back_office_user, pdf_bytes
from madoguchi.core.models import AuditEvent
from madoguchi.counter.models import CounterCase, CounterVisit
from madoguchi.faq.tests.factories import FaqEntryFactory, FaqSetFactory, SharedFaqEntryFactory
from madoguchi.intake.models import ImportRun, QuarantineItem
from madoguchi.region.models import Consultation, ConsultationFile
from madoguchi.reservations.tests.factories import WindowFactory

pytestmark = pytest.mark.django_db

DUMMY = {"int": "987654", "uuid": "00000000-0000-0000-0000-000000000000"}
# Reached before (or instead of) the second factor: the doors themselves.
DOORS = {"accounts:login", "accounts:logout", "accounts:verify", "admin:login", "admin:logout"}


@dataclass
class StaffURL:
    name: str  # namespaced URL name, or the path when unnamed
    namespace: str
    parts: list[Any]
    callback: Any

    @property
    def spec(self) -> GuardSpec | None:
        return getattr(self.callback, "staff_guard", None)

    @property
    def is_admin(self) -> bool:
        return self.namespace.split(":")[0] == "admin"

    def path(self, values: dict[tuple[str, str], Any]) -> tuple[str, bool]:
        """The URL with real ids where the world has them; True when a dummy was needed."""
        dummy = False
        out = ""
        for part in self.parts:
            if isinstance(part, RoutePattern):
                text = str(part._route)

                def fill(m: re.Match[str]) -> str:
                    nonlocal dummy
                    key = (self.namespace.split(":")[-1], m["name"])
                    if key in values:
                        return str(values[key])
                    dummy = True
                    return DUMMY.get(m["conv"] or "str", "x")

                out += re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", fill, text)
            else:
                assert isinstance(part, RegexPattern)
                text = str(part._regex).lstrip("^").removesuffix("$").removesuffix(r"\Z")

                def fill_group(m: re.Match[str]) -> str:
                    nonlocal dummy
                    first = m["body"].split("|")[0]
                    if re.fullmatch(r"[\w-]+", first):
                        return first
                    dummy = True
                    return "x"

                out += re.sub(r"\(\?P<\w+>(?P<body>[^()]*)\)", fill_group, text)
        return "/" + out, dummy


def staff_urls() -> list[StaffURL]:
    found: list[StaffURL] = []

    def walk(patterns: list[Any], parts: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace or "") if x)
                walk(p.url_patterns, [*parts, p.pattern], ns)
            elif isinstance(p, URLPattern):
                full = [*parts, p.pattern]
                name = f"{namespace}:{p.name}" if p.name and namespace else (p.name or "")
                found.append(StaffURL(name, namespace, full, p.callback))

    walk(get_resolver().url_patterns, [], "")
    staff = []
    for u in found:
        first = u.parts[0]
        text = str(first._route if isinstance(first, RoutePattern) else first._regex)
        if text.lstrip("^").startswith("staff/"):
            staff.append(u)
    return staff


@pytest.fixture
def world() -> dict[str, Any]:
    """One municipality with one of everything a staff URL can name, and a user per role."""
    application = ApplicationFactory(receipt_number="20250401-777777")
    # Counter staff print the applications taken at the counter (counter/print/).
    counter_application = ApplicationFactory(
        form_version=application.form_version,
        channel="counter",
        receipt_number="20250401-777778",
        applicant_name="佐藤 一郎",
        applicant_kana="サトウ イチロウ",
    )
    town = application.municipality
    procedure = application.procedure
    attachment = Attachment(
        municipality=town,
        application=application,
        field_path="id_document",
        original_name="本人確認.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    attachment.file.save(str(attachment.id), ContentFile(pdf_bytes()), save=False)
    attachment.save()
    export_run = ExportRun.objects.create(
        municipality=town, procedure=procedure, encoding="utf-8", count=0, at=timezone.now()
    )
    import_run = ImportRun.objects.create(
        municipality=town,
        source_name="b.zip",
        sha256="0" * 64,
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    item = QuarantineItem.objects.create(
        municipality=town,
        run=import_run,
        receipt_number="Q-1",
        member="a/manifest.json",
        manifest_sha256="0" * 64,
        reasons=[{"field": "", "message": "x"}],
        created_at=timezone.now(),
    )
    entry = FaqEntryFactory(municipality=town)
    shared = SharedFaqEntryFactory(faq_set=FaqSetFactory())
    window = WindowFactory(municipality=town)
    # A form being filled at the counter (counter mode).
    case = CounterCase.objects.create(
        municipality=town,
        procedure=procedure,
        form_version=application.form_version,
        source=CounterCase.Source.INTERVIEW,
    )
    visit = CounterVisit.objects.create(
        municipality=town, source=CounterCase.Source.PREINPUT_TOKEN, status="issued"
    )
    # A liaison-desk consultation of the town, with a file.
    consultation = Consultation.objects.create(
        municipality=town, topic="data", title="相談", body="本文"
    )
    consultation_file = ConsultationFile(
        municipality=town,
        consultation=consultation,
        original_name="資料.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    consultation_file.file.save(str(consultation_file.id), ContentFile(pdf_bytes()), save=False)
    consultation_file.save()
    users = {
        Role.COUNTER: StaffUserFactory(municipality=town, counter=True),
        Role.BACK_OFFICE: back_office_user(procedure),
        Role.MANAGER: StaffUserFactory(municipality=town, manager=True),
        Role.MUNICIPALITY_ADMIN: StaffUserFactory(municipality=town, admin=True),
        Role.PREFECTURE_VIEWER: StaffUserFactory(
            municipality=None, prefecture=town.prefecture, role=Role.PREFECTURE_VIEWER
        ),
    }
    values = {
        ("applications_staff", "pk"): application.pk,
        ("counter_staff", "pk"): counter_application.pk,
        ("counter_staff", "case_id"): case.pk,
        ("counter_staff", "visit_id"): visit.pk,
        ("applications_staff", "attachment_id"): attachment.id,
        ("applications_staff", "number"): 1,
        ("applications_staff", "run_id"): export_run.pk,
        ("applications_staff", "slug"): procedure.slug,
        ("intake", "run_id"): import_run.pk,
        ("intake", "item_id"): item.pk,
        ("faq_staff", "pk"): entry.pk,
        ("faq_staff", "set_id"): shared.faq_set_id,
        ("faq_staff", "entry_id"): shared.pk,
        ("reservations_staff", "window_id"): window.pk,
        ("region", "consultation_id"): consultation.pk,
        ("region", "file_id"): consultation_file.id,
    }
    return {"town": town, "users": users, "values": values}


def _method(client: Any, path: str) -> str:
    """GET, or POST for the views that only take POST (they answer GET with 405)."""
    return "post" if client.get(path).status_code == 405 else "get"


def _request(client: Any, method: str, path: str) -> Any:
    return getattr(client, method)(path)


def test_staff_urls_are_found():
    names = {u.name for u in staff_urls()}
    for expected in (
        "applications_staff:inbox",
        "intake:run",
        "faq_staff:list",
        "reservations_staff:bookings",
        "reservations_staff:kiosk_key_rotate",
        "accounts:totp_setup",
        "admin:index",
    ):
        assert expected in names
    # Every staff view outside the admin and the sign-in doors goes through the one guard.
    unguarded = [u.name for u in staff_urls() if not u.is_admin and u.spec is None]
    assert unguarded
    assert set(unguarded) <= DOORS, unguarded


def test_anonymous_is_sent_to_sign_in_everywhere(client, world):
    tried = 0
    for url in staff_urls():
        path, _ = url.path(world["values"])
        if url.name in DOORS:
            continue
        response = _request(client, _method(client, path), path)
        assert response.status_code == 302, (url.name, path, response.status_code)
        assert response["Location"].startswith("/staff/login/"), (url.name, response["Location"])
        tried += 1
    assert tried > 40
    print(f"anonymous: {tried} URLs")


def test_a_session_without_its_second_factor_reaches_nothing(client, world):
    """Password only (as the admin's own login used to give): every URL → the verify step."""
    superuser = StaffUserFactory(municipality=None, role="", is_staff=True, is_superuser=True)
    admin = world["users"][Role.MUNICIPALITY_ADMIN]
    tried = 0
    for user in (admin, superuser):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        for url in staff_urls():
            if url.name in DOORS:
                continue
            client.force_login(user)  # a session that never gave the code
            path, _ = url.path(world["values"])
            response = _request(client, _method(client, path), path)
            assert response.status_code == 302, (url.name, path, response.status_code)
            assert response["Location"].startswith("/staff/verify/"), (url.name, response)
            tried += 1
    # Not even a new authenticator can be enrolled from such a session.
    client.force_login(admin)
    assert client.post("/staff/2fa/", {"token": "000000"})["Location"].startswith("/staff/verify/")
    assert TOTPDevice.objects.filter(user=admin).count() == 1
    print(f"unverified: {tried} URL × user pairs")


def _admin_expected(url: StaffURL, user: Any) -> bool | None:
    """The admin's own rule, from the role table: the index and each model's list."""
    if not user.is_staff:
        return False
    if url.name == "admin:index":
        return any(p for p in user.get_all_permissions())
    m = re.fullmatch(r"admin:(\w+?)_(\w+)_changelist", url.name)
    if m:
        app, model = m.groups()
        return user.has_perm(f"{app}.view_{model}") or user.has_perm(f"{app}.change_{model}")
    return None  # other admin pages: no 5xx, and never for a role without admin access


def test_every_role_gets_exactly_what_the_role_table_says(client, world):
    urls = staff_urls()
    methods = {}
    for url in urls:
        methods[url.name] = _method(client, url.path(world["values"])[0])
    # GET pages first, then POST actions (which may change or delete the world's objects).
    ordered = sorted(urls, key=lambda u: (methods[u.name] == "post", u.name == "accounts:logout"))
    clients = {}
    for role, user in world["users"].items():
        clients[role] = Client()
        clients[role].force_login(user)
    tried = audited = 0
    for url in ordered:
        path, dummy = url.path(world["values"])
        method = methods[url.name]
        if url.name in DOORS:
            continue  # open to anyone signed in; the other tests walk them
        for role, user in world["users"].items():
            allowed: bool | None
            if url.spec is not None:
                allowed = url.spec.allows(user)
            else:
                assert url.is_admin, url.name  # every other staff view is guarded
                if not user.is_staff and role != Role.COUNTER:
                    continue  # one role without admin access stands for all (one code path)
                allowed = _admin_expected(url, user)
                if allowed is None:
                    continue  # past the door an admin page has its own rules
            before = AuditEvent.objects.count()
            response = _request(clients[role], method, path)
            status = response.status_code
            where = (url.name, path, role, status)
            tried += 1
            assert status < 500, where
            if url.spec is not None:
                assert "no-store" in response.get("Cache-Control", ""), where
            if not allowed:
                assert status == 403, where
                assert AuditEvent.objects.count() == before, where
                continue
            assert status != 403, where
            if method == "get" and not dummy:
                assert status in (200, 302), where
            if url.spec is not None and url.spec.personal_data and not 300 <= status < 400:
                event = AuditEvent.objects.order_by("-pk").first()
                assert AuditEvent.objects.count() == before + 1, where
                assert event is not None and event.view == url.name, where
                assert event.actor_id == user.pk, where
                audited += 1
    assert audited > 10
    print(f"roles: {len(urls)} URLs, {len(world['users'])} roles, {tried} requests")


def test_list_views_record_the_search_that_was_run(client, world):
    manager = world["users"][Role.MANAGER]
    client.force_login(manager)
    sent = client.post("/staff/applications/", {"q": "山田", "status": "received"})
    assert sent.status_code == 302
    assert "山田" not in sent["Location"] and "%E5" not in sent["Location"]
    page = client.get(sent["Location"])
    assert page.status_code == 200 and "20250401-777777" in page.content.decode()
    event = AuditEvent.objects.filter(view="applications_staff:inbox").latest("pk")
    assert event.action == "list"
    assert event.search == {"q": "山田", "status": "received"}
    assert event.count == 1

    client.get("/staff/reservations/bookings/", {"date": "2026-04-01"})
    event = AuditEvent.objects.filter(view="reservations_staff:bookings").latest("pk")
    assert (event.action, event.search) == ("list", {"date": "2026-04-01"})

    client.get(f"/staff/intake/runs/{world['values'][('intake', 'run_id')]}/")
    event = AuditEvent.objects.filter(view="intake:run").latest("pk")
    assert event.action == "view" and event.actor_id == manager.pk


def test_admin_pages_with_personal_data_are_audited(client, world):
    admin = world["users"][Role.MUNICIPALITY_ADMIN]
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client.force_login(admin)
    session = client.session
    # As after the staff login with the code (django-otp's session key).
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    listing = client.get("/staff/admin/reservations/booking/", {"q": "ABCD"})
    assert listing.status_code == 200
    event = AuditEvent.objects.filter(view="admin:reservations_booking_changelist").get()
    assert (event.action, event.search) == ("list", {"q": "ABCD"})
    client.get("/staff/admin/faq/faqquerylog/")
    assert AuditEvent.objects.filter(view="admin:faq_faqquerylog_changelist").count() == 1


def test_the_municipality_admin_rotates_the_kiosk_key(client, world):
    from madoguchi.reservations.models import ReservationPolicy
    from madoguchi.reservations.tests.factories import ReservationPolicyFactory

    policy = ReservationPolicyFactory(municipality=world["town"])
    old = policy.kiosk_key
    client.force_login(world["users"][Role.MANAGER])
    assert client.post("/staff/reservations/kiosk-key/").status_code == 403
    assert ReservationPolicy.objects.get(pk=policy.pk).kiosk_key == old
    client.force_login(world["users"][Role.MUNICIPALITY_ADMIN])
    assert client.post("/staff/reservations/kiosk-key/").status_code == 302
    new = ReservationPolicy.objects.get(pk=policy.pk).kiosk_key
    assert new != old and len(new) >= 20
    code = world["town"].code
    assert client.get(f"/{code}/reserve/kiosk/{old}/").status_code == 404
    assert client.get(f"/{code}/reserve/kiosk/{new}/").status_code == 200


def test_the_manager_reads_which_search_was_run(client, world):
    manager = world["users"][Role.MANAGER]
    client.force_login(manager)
    client.post("/staff/applications/", {"q": "ヤマダ"})
    client.get("/staff/applications/")
    page = client.get("/staff/applications/audit/").content.decode()
    assert "q: ヤマダ" in page
    # Reading the record (with its searches) is itself recorded.
    assert AuditEvent.objects.filter(view="applications_staff:audit").count() == 1
