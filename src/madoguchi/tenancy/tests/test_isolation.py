"""No URL or API lets one municipality's users read or change another's data.

Two municipalities, each with a procedure, a draft, an application and staff. The walk at the
end of this module requests every URL pattern with an object in its path (found from the
resolver) with the other municipality's objects; the tests before it are worked examples.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import services, workflow
from madoguchi.applications.handoff import services as handoff_services
from madoguchi.applications.models import (
    Application,
    Attachment,
    ExportRun,
    Payment,
    RetentionPolicy,
    StaffDepartment,
)
from madoguchi.applications.payments import services as payment_services
from madoguchi.applications.tests.factories import (
    DEFINITION,
    VALID_ANSWERS,
    FormVersionFactory,
    pdf_bytes,
)
from madoguchi.catalogue.models import ProcedureAdoption, SharedProcedure
from madoguchi.catalogue.sharing import services as catalogue_services
from madoguchi.core.municipality_code import with_check_digit
from madoguchi.counter import preinput_views, visit_views
from madoguchi.counter import services as counter_services
from madoguchi.counter.models import CounterCase, CounterVisit, PreInputSetting, PrintLayout
from madoguchi.faq.models import FaqEntry, FaqSet, SharedFaqEntry
from madoguchi.faq.tests.factories import (
    FaqEntryFactory,
    FaqQueryLogFactory,
    FaqSetFactory,
    SharedFaqEntryFactory,
)
from madoguchi.intake.models import ImportRun, QuarantineItem
from madoguchi.procedures.models import LifeEvent, Procedure
from madoguchi.region.liaison import services as liaison_services
from madoguchi.region.models import (
    Agreement,
    AgreementMember,
    Consultation,
    ConsultationFile,
    Evidence,
    JointSystem,
    Need,
    Notice,
    PracticeCase,
    Question,
    Response,
    Specialist,
    Survey,
)
from madoguchi.reservations import codes as reservation_codes
from madoguchi.reservations import services as reservation_services
from madoguchi.reservations.models import (
    Booking,
    CalendarException,
    ReservationPolicy,
    Service,
    Ticket,
    Window,
)
from madoguchi.reservations.tests.factories import hall
from madoguchi.reservations.views._common import format_start
from madoguchi.tenancy.access import Scope, municipality_path
from madoguchi.tenancy.models import Municipality, Prefecture, TrustPage
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory
from madoguchi.tenancy.tests.urlconf import Route, project_routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns():
    result = {}
    for name in ("a", "b"):
        version = FormVersionFactory(without_files=True)
        procedure = version.procedure
        submitted = services.application_submit(
            municipality=procedure.municipality,
            procedure=procedure,
            form_version=version,
            raw_answers=VALID_ANSWERS,
        )
        admin = StaffUserFactory(municipality=procedure.municipality, admin=True)
        result[name] = {
            "municipality": procedure.municipality,
            "procedure": procedure,
            "version": version,
            "application": submitted.application,
            "access_code": submitted.access_code,
            "admin": admin,
        }
    return result


def test_resident_pages_do_not_reach_across(client, towns):
    a, b = towns["a"], towns["b"]
    code_a = a["municipality"].code
    slug_b = b["procedure"].slug
    assert client.get(f"/{code_a}/procedures/{slug_b}/").status_code == 404
    assert client.post(f"/{code_a}/procedures/{slug_b}/apply/").status_code == 404
    assert client.get(f"/{code_a}/apply/{slug_b}/applicant/").status_code == 404
    assert client.get(f"/{code_a}/apply/{slug_b}/check/").status_code == 404
    listing = client.get(f"/{code_a}/").content.decode()
    assert a["procedure"].name in listing and b["procedure"].name not in listing
    response = client.post(
        f"/{code_a}/status/",
        {"receipt_number": b["application"].receipt_number, "access_code": b["access_code"]},
    )
    assert response.status_code == 400


def test_a_draft_of_one_town_cannot_be_used_in_another(client, towns):
    a, b = towns["a"], towns["b"]
    client.post(f"/{b['municipality'].code}/procedures/{b['procedure'].slug}/apply/")
    # Same session, other town's URL with B's slug: not found, and B's draft untouched.
    response = client.get(f"/{a['municipality'].code}/apply/{b['procedure'].slug}/applicant/")
    assert response.status_code == 404
    draft_link = services.draft_issue_resume_link(
        draft=services.draft_start(procedure=b["procedure"], form_version=b["version"]),
        base_url="http://testserver/",
    )
    token = draft_link.rstrip("/").rsplit("/", 1)[-1]
    assert Client().get(f"/{a['municipality'].code}/resume/{token}/").status_code == 404


def test_api_does_not_reach_across(client, towns):
    a, b = towns["a"], towns["b"]
    code_a = a["municipality"].code
    slug_b = b["procedure"].slug
    assert [p["slug"] for p in client.get(f"/api/v1/{code_a}/procedures").json()] == [
        a["procedure"].slug
    ]
    assert client.get(f"/api/v1/{code_a}/procedures/{slug_b}").status_code == 404
    body = {"procedure": slug_b, "form_version": 1, "answers": VALID_ANSWERS}
    response = client.post(
        f"/api/v1/{code_a}/applications", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404
    status = client.post(
        f"/api/v1/{code_a}/applications/status",
        json.dumps(
            {"receipt_number": b["application"].receipt_number, "access_code": b["access_code"]}
        ),
        content_type="application/json",
    )
    assert status.status_code == 404


ADMIN_MODELS = [
    ("procedures", "procedure", "procedure"),
    ("tenancy", "municipality", "municipality"),
    ("accounts", "staffuser", "admin"),
]


@pytest.mark.parametrize(("app", "model", "key"), ADMIN_MODELS)
def test_admin_of_one_town_cannot_see_or_change_the_other(client, towns, app, model, key):
    a, b = towns["a"], towns["b"]
    client.force_login(a["admin"])
    other = b[key]
    changelist = client.get(f"/staff/admin/{app}/{model}/")
    assert changelist.status_code == 200
    assert f"/{other.pk}/change/" not in changelist.content.decode()
    change = client.get(f"/staff/admin/{app}/{model}/{other.pk}/change/")
    assert change.status_code in (302, 404)
    post = client.post(f"/staff/admin/{app}/{model}/{other.pk}/change/", {"name": "乗っ取り"})
    assert post.status_code in (302, 403, 404)
    other.refresh_from_db()
    assert getattr(other, "name", "") != "乗っ取り"
    delete = client.post(f"/staff/admin/{app}/{model}/{other.pk}/delete/", {"post": "yes"})
    assert delete.status_code in (302, 403, 404)
    assert type(other).objects.filter(pk=other.pk).exists()


def test_municipality_admin_cannot_make_a_superuser_or_move_staff(client, towns):
    a, b = towns["a"], towns["b"]
    client.force_login(a["admin"])
    response = client.post(
        "/staff/admin/accounts/staffuser/add/",
        {
            "username": "newbie",
            "password1": "x7#kLm2!pQ9z",
            "password2": "x7#kLm2!pQ9z",
            "role": "back_office",
            "is_superuser": "on",
            "municipality": b["municipality"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from madoguchi.accounts.models import StaffUser

    newbie = StaffUser.objects.get(username="newbie")
    assert not newbie.is_superuser
    assert newbie.municipality == a["municipality"]


# --- Back office and hand-off (applications/staff_urls.py, applications/handoff/api.py) -------


@pytest.fixture
def offices(towns):
    from madoguchi.applications.handoff import services as handoff_services
    from madoguchi.applications.models import ExportRun

    for town in towns.values():
        town["manager"] = StaffUserFactory(municipality=town["municipality"], manager=True)
        town["token"] = handoff_services.api_token_create(
            municipality=town["municipality"],
            name="基幹",
            scopes=["applications:read", "applications:handoff"],
        )[1]
        town["run"] = ExportRun.objects.create(
            municipality=town["municipality"],
            procedure=town["procedure"],
            encoding="utf-8-sig",
            at=town["application"].submitted_at,
        )
    return towns


@pytest.mark.urls("madoguchi.applications.tests.urls")
def test_back_office_urls_do_not_reach_across(client, offices):
    a, b = offices["a"], offices["b"]
    client.force_login(a["manager"])
    other = b["application"]
    before = (other.status, other.version, other.assignee_id, other.handed_off_at)
    base = f"/staff/applications/{other.pk}/"
    for path in ("", "transcription/", "rpa/", "attachments/00000000-0000-0000-0000-000000000000/"):
        assert client.get(base + path).status_code == 404, path
    posts = {
        "transition/": {"version": other.version, "to_status": "in_review"},
        "assign/": {"version": other.version, "assignee": a["manager"].pk},
        "note/": {"note": "越境"},
        "correction/": {
            "version": other.version,
            "fields_to_correct": ["email"],
            "message": "x",
            "deadline": "2099-01-01",
        },
        "handed-off/": {"method": "transcription"},
    }
    for path, data in posts.items():
        assert client.post(base + path, data).status_code == 404, path
    assert client.get(f"/staff/applications/rpa/{b['procedure'].slug}/").status_code == 404
    assert client.get(f"/staff/applications/export/{b['run'].pk}/").status_code == 404
    assert client.get(f"/staff/applications/export/{b['run'].pk}/download/").status_code == 404
    export = client.post(
        "/staff/applications/export/",
        {"procedure": b["procedure"].pk, "encoding": "utf-8-sig", "only_new": "on"},
    )
    assert export.status_code == 400  # not one of this user's procedures
    inbox = client.get(
        "/staff/applications/", {"q": other.receipt_number}, follow=True
    ).content.decode()
    assert other.receipt_number not in inbox.split('id="inbox"')[1]
    audit = client.get("/staff/applications/audit/").content.decode()
    assert b["manager"].username not in audit
    other.refresh_from_db()
    assert (other.status, other.version, other.assignee_id, other.handed_off_at) == before
    assert other.events.filter(kind="note").count() == 0


@pytest.mark.urls("madoguchi.applications.tests.urls")
def test_handoff_api_does_not_reach_across(client, offices):
    a, b = offices["a"], offices["b"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {a['token']}"}
    other = b["application"]
    for code in (a["municipality"].code, b["municipality"].code):
        listing = client.get(
            f"/api/v1/handoff/{code}/procedures/{b['procedure'].slug}/applications", **auth
        )
        assert listing.status_code == 404 or listing.json() == []
        fetch = client.get(f"/api/v1/handoff/{code}/applications/{other.receipt_number}", **auth)
        assert fetch.status_code == 404
        mark = client.post(
            f"/api/v1/handoff/{code}/applications/{other.receipt_number}/handed-off", **auth
        )
        assert mark.status_code == 404
    other.refresh_from_db()
    assert other.handed_off_at is None


def test_a_correction_link_works_only_in_its_own_town(client, offices):
    from django.utils import timezone

    from madoguchi.applications import workflow

    a, b = offices["a"], offices["b"]
    other = b["application"]
    workflow.application_transition(
        application=other, actor=b["manager"], to_status="in_review", expected_version=1
    )
    issued = workflow.correction_request(
        application=other,
        actor=b["manager"],
        expected_version=2,
        field_keys=["email"],
        message="確認してください",
        deadline=timezone.localdate(),
    )
    token = issued.url.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(f"/{a['municipality'].code}/correction/{token}/").status_code == 404
    assert client.get(f"/{b['municipality'].code}/correction/{token}/").status_code == 200


# --- Every URL with an object in its path, walked from the URLConf -----------------------------
#
# Municipality A's users (each staff role, its hand-off API token, a resident whose session also
# holds B's draft and booking) request every URL pattern that has an object parameter, with one
# parameter at a time set to municipality B's object and the others to A's own. The answer must
# be the one a missing object gets (404, or the admin's "not found" redirect, or 403), never a
# 2xx or a 5xx, never B's data; B's rows must be unchanged afterwards. Each route is also asked
# for A's own object, which must be answered differently from a missing one: the proof that the
# request reached the view (a login wall or 2FA redirect would otherwise pass everything).
#
# Tenant objects behind parameters are found from the database by model (through Scope), so a
# new URL whose parameter names a known object is covered without edits; a new parameter name
# fails `test_every_url_parameter_is_mapped` with the line to add to PARAMETERS.


ADMIN_PREFIX = "staff/admin/"
STAFF_ROLES = (Role.MUNICIPALITY_ADMIN, Role.MANAGER, Role.COUNTER, Role.BACK_OFFICE)
MISSING = {
    "int": "987654321",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "slug": "no-such-thing",
    "str": "NOSUCH00",
    "path": "987654321",
}


@dataclass
class Town:
    municipality: Municipality
    marker: str  # text only this town's pages may show
    secrets: dict[str, str] = field(default_factory=dict)
    staff: dict[str, StaffUser] = field(default_factory=dict)


# How to find a town's value for a path parameter. An object parameter names a model (its row
# in the town, through Scope) or a secret the town was given; a context parameter (the
# municipality in a resident URL, a form step) always takes the requesting town's own value.
@dataclass(frozen=True)
class Object:
    model: type[models.Model] | None = None  # None: the admin's model for the route
    attribute: str = "pk"


@dataclass(frozen=True)
class Secret:
    name: str


@dataclass(frozen=True)
class Context:
    value: Callable[[Town], str]


@dataclass(frozen=True)
class Skip:
    reason: str


Source = Object | Secret | Context | Skip
# parameter name -> source, or {route substring -> source} where a name means different things.
PARAMETERS: dict[str, Source | dict[str, Source]] = {
    "municipality_code": Context(lambda town: town.municipality.code),
    "code": {
        "api/v1/handoff/": Object(Municipality, "code"),  # a token of A naming town B
        "api/v1/": Context(lambda town: town.municipality.code),  # public API of the town
        "/reserve/bookings/": Secret("booking_code"),
        "staff/region/agreements/": Object(Municipality, "code"),  # whose statement
        "staff/region/surveys/": Object(Municipality, "code"),  # whose survey answers
    },
    "slug": {
        "/life-events/": Object(LifeEvent, "slug"),
        "/": Object(Procedure, "slug"),
    },
    "step_key": Context(lambda town: DEFINITION["steps"][0]["key"]),
    "number": Context(lambda town: "1"),  # a page of an attachment (the attachment is the object)
    "receipt_number": Object(Application, "receipt_number"),
    "attachment_id": Object(Attachment),
    "pk": {
        "staff/applications/": Object(Application),
        "staff/counter/applications/": Object(Application),
        "staff/faq/": Object(FaqEntry),
        "otp_totp/totpdevice/": Object(TOTPDevice),
        "staff/region/systems/": Object(JointSystem),
        "staff/region/agreements/": Object(Agreement),
        "staff/region/surveys/": Object(Survey),
        "staff/region/talent/specialists/": Object(Specialist),
        "staff/region/talent/needs/": Object(Need),
        "staff/region/practice/": Object(PracticeCase),
        "staff/region/liaison/notices/": Object(Notice),
        "/region/procurement/": Skip("public page: systems a prefecture chose to publish"),
    },
    "run_id": {"staff/applications/export/": Object(ExportRun), "staff/intake/": Object(ImportRun)},
    "item_id": Object(QuarantineItem),
    "evidence_id": Object(Evidence),
    "question_id": Object(Question),
    "file_id": Object(ConsultationFile),
    "consultation_id": Object(Consultation),
    "set_id": Object(FaqSet),
    # A shared procedure belongs to a prefecture or the nation (catalogue tests: offered_to).
    "shared_id": Object(SharedProcedure),
    "adoption_id": Object(ProcedureAdoption),
    "entry_id": Object(SharedFaqEntry),
    "window_id": Object(Window),
    "service_id": Object(Service),
    "ticket_id": Object(Ticket),
    "case_id": Object(CounterCase),
    "visit_id": Object(CounterVisit),
    "event": Object(LifeEvent, "slug"),
    "key": Object(ReservationPolicy, "kiosk_key"),
    "token": {
        "/resume/": Secret("resume_token"),
        "/correction/": Secret("correction_token"),
        "/open/": Secret("manage_token"),  # a booking's manage link from its mails
        "/pay/card/": Secret("pay_token"),  # the test card page of an online payment
    },
    "exception_id": Object(CalendarException),
    "kind": Context(lambda town: "privacy"),  # the town's own trust page (data, per town)
    "object_id": Object(),
    "id": Object(),  # the admin's password page of a staff user
    "content_type_id": Skip("contenttypes shortcut: no model has get_absolute_url (404 for all)"),
    "app_label": Skip("an admin app index, not an object"),
    "url": Skip("the admin's catch-all redirect, not an object"),
}


# POST bodies that let A's own request reach past form parsing (route substring -> body).
BODIES: dict[str, Callable[[Town], dict[str, str]]] = {
    "/windows/<int:window_id>/action/": lambda town: {"action": "call"},
    "/bookings/<str:code>/change/": lambda town: {
        "start": format_start(timezone.now() + timedelta(days=8))
    },
    "/kiosk/<str:key>/ticket/": lambda town: {"service": str(owned_row(Service, town).pk)},
}


def source_for(route: Route, name: str) -> Source | None:
    entry = PARAMETERS.get(name)
    if isinstance(entry, dict):
        return next((s for key, s in entry.items() if key in "/" + route.route), None)
    return entry


def admin_model(route: Route) -> type[models.Model] | None:
    if not route.route.startswith(ADMIN_PREFIX):
        return None
    parts = route.route.removeprefix(ADMIN_PREFIX).split("/")
    for model in admin.site._registry:
        if parts[:2] == [model._meta.app_label, model._meta.model_name]:
            return model
    return None


def prefecture_path(model: type[models.Model]) -> str | None:
    """Rows owned by a prefecture (shared FAQ sets): the lookup to it, else None."""
    if model is Prefecture:
        return "pk"
    for f in model._meta.get_fields():
        if f.many_to_one and f.concrete and not f.null:
            if f.related_model is Prefecture:
                return f.name
            inner = prefecture_path(f.related_model) if f.related_model is not model else None
            if inner and inner != "pk":
                return f"{f.name}__{inner}"
    return None


def owned_row(model: type[models.Model], town: Town) -> models.Model | None:
    """The town's row of `model`; None when the model belongs to no tenant."""
    manager = model._default_manager
    if municipality_path(model) is not None:
        rows = Scope.of_municipality(town.municipality).filter(manager.all())
    elif (path := prefecture_path(model)) is not None:
        rows = manager.filter(**{path: town.municipality.prefecture_id})
    else:
        return None
    row = rows.order_by("pk").first()
    assert row is not None, (
        f"Town has no {model._meta.label} row: create one in build_town() so that the URLs "
        "taking it are tried across towns."
    )
    return row


def value_for(route: Route, name: str, town: Town) -> str | None:
    """The town's value of a parameter (None: the parameter names no tenant object)."""
    source = source_for(route, name)
    if isinstance(source, Context):
        return source.value(town)
    if isinstance(source, Secret):
        return town.secrets[source.name]
    if isinstance(source, Object):
        model = source.model or admin_model(route)
        row = owned_row(model, town) if model is not None else None
        return None if row is None else str(getattr(row, source.attribute))
    return None


def build_town(key: str, prefecture: Prefecture, code: str) -> Town:
    """A municipality with one row of every tenant-owned model that a URL can name."""
    municipality = MunicipalityFactory(prefecture=prefecture, code=code, name=f"{key}検証市")
    town = Town(municipality=municipality, marker=f"{key}検証市")
    for role in STAFF_ROLES:
        user = StaffUserFactory(municipality=municipality, role=role, is_staff=True)
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        town.staff[role] = user
    version = FormVersionFactory(
        without_files=True, procedure__municipality=municipality, procedure__counter_preinput=True
    )
    procedure = version.procedure
    PreInputSetting.objects.create(municipality=municipality)
    life_event = LifeEvent.objects.create(
        municipality=municipality, slug=f"moving-{code}", name="引っ越し"
    )
    life_event.procedures.add(procedure)
    submitted = services.application_submit(
        municipality=municipality,
        procedure=procedure,
        form_version=version,
        raw_answers=VALID_ANSWERS,
    )
    application = submitted.application
    attachment = Attachment(
        municipality=municipality,
        application=application,
        field_path="id_document",
        original_name="id.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    attachment.file.save(str(attachment.id), ContentFile(pdf_bytes()), save=False)
    attachment.save()
    StaffDepartment.objects.create(
        municipality=municipality, staff=town.staff[Role.BACK_OFFICE], department="市民課"
    )
    RetentionPolicy.objects.create(municipality=municipality, procedure=procedure, retention_days=1)
    PrintLayout.objects.create(municipality=municipality, procedure=procedure)
    counter_services.counter_station_issue(municipality=municipality, name=f"{key}窓口")
    CounterCase.objects.create(
        municipality=municipality,
        procedure=procedure,
        form_version=version,
        source=CounterCase.Source.INTERVIEW,
        answers={"name": {"family": town.marker, "given": "花子"}},
    )
    CounterVisit.objects.create(
        municipality=municipality,
        source=CounterCase.Source.PREINPUT_TOKEN,
        shared={"applicant": {"applicant_name": {"family": town.marker, "given": "花子"}}},
    )
    manager = town.staff[Role.MANAGER]
    workflow.application_transition(
        application=application, actor=manager, to_status="in_review", expected_version=1
    )
    issued = workflow.correction_request(
        application=application,
        actor=manager,
        expected_version=2,
        field_keys=["email"],
        message="確認してください",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    town.secrets["correction_token"] = issued.url.rstrip("/").rsplit("/", 1)[-1]
    payment = Payment.objects.create(
        municipality=municipality, application=application, amount=300, quote={"lines": []}
    )
    town.secrets["pay_token"] = payment_services.payment_checkout_start(
        payment=payment, provider_key="test_card"
    ).reference
    draft = services.draft_start(procedure=procedure, form_version=version)
    link = services.draft_issue_resume_link(draft=draft, base_url="http://testserver/")
    town.secrets["resume_token"] = link.rstrip("/").rsplit("/", 1)[-1]
    town.secrets["api_token"] = handoff_services.api_token_create(
        municipality=municipality,
        name="基幹",
        scopes=["applications:read", "applications:handoff"],
    )[1]
    ExportRun.objects.create(
        municipality=municipality, procedure=procedure, encoding="utf-8-sig", at=timezone.now()
    )
    now = timezone.now()
    run = ImportRun.objects.create(
        municipality=municipality,
        source_name="b.zip",
        sha256="0" * 64,
        started_at=now,
        updated_at=now,
    )
    QuarantineItem.objects.create(
        municipality=municipality,
        run=run,
        member="m/manifest.json",
        manifest_sha256="0" * 64,
        created_at=now,
    )
    _, service, _ = hall(municipality=municipality, windows=1)
    CalendarException.objects.create(municipality=municipality, date=timezone.localdate())
    submission = reservation_codes.new_submission_token()
    code = reservation_codes.new_booking_code()
    secret = reservation_codes.secret_for(submission_token=submission)
    Booking.objects.create(
        municipality=municipality,
        service=service,
        start=now + timedelta(days=7),
        end=now + timedelta(days=7, minutes=15),
        name=town.marker,
        phone="090-0000-0000",
        code=code,
        secret_hash=reservation_codes.secret_hash(code=code, secret=secret),
        contact_hash="c" * 64,
        submission_token=submission,
    )
    town.secrets["booking_code"], town.secrets["booking_secret"] = code, secret
    town.secrets["manage_token"] = reservation_codes.manage_token(
        code=code, secret_hash=reservation_codes.secret_hash(code=code, secret=secret)
    )
    TrustPage.objects.create(
        municipality=municipality,
        kind="privacy",
        body=f"{town.marker}の個人情報の取扱い",
        updated_on=timezone.localdate(),
    )
    reservation_services.ticket_issue(municipality=municipality, service=service)
    FaqEntryFactory(municipality=municipality, published=True, question=f"{town.marker}の質問")
    FaqQueryLogFactory(municipality=municipality)
    SharedFaqEntryFactory(faq_set=FaqSetFactory(prefecture=prefecture))
    shared = catalogue_services.shared_procedure_publish(
        prefecture=prefecture,
        data={"slug": f"shared-{code}", "name": f"{town.marker}の共通手続", "form": DEFINITION},
    ).shared
    catalogue_services.procedure_adopt(municipality=municipality, shared=shared)
    JointSystem.objects.create(
        prefecture=prefecture, name=f"{town.marker}の共同調達", domain="tool", system_type="rpa"
    )
    agreement = Agreement.objects.create(
        prefecture=prefecture,
        name=f"{town.marker}の協定",
        fiscal_year=2026,
        total=1_000,
        weight_equal=1,
    )
    AgreementMember.objects.create(agreement=agreement, municipality=municipality, population=1)
    survey = Survey.objects.create(
        prefecture=prefecture, fiscal_year=2026, title=f"{town.marker}の調査", status="open"
    )
    Question.objects.create(
        survey=survey, section="structure", key="cio", text=f"{town.marker}の設問", kind="yes_no"
    )
    response = Response.objects.create(survey=survey, municipality=municipality)
    evidence = Evidence(
        municipality=municipality,
        response=response,
        original_name=f"{town.marker}.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    evidence.file.save(str(evidence.id), ContentFile(pdf_bytes()), save=False)
    evidence.save()
    Specialist.objects.create(prefecture=prefecture, name=f"{town.marker}の人材", role="engineer")
    PracticeCase.objects.create(
        municipality=municipality, title=f"{town.marker}の事例", summary=town.marker
    )
    Need.objects.create(
        municipality=municipality,
        title=f"{town.marker}の依頼",
        role="engineer",
        description=town.marker,
    )
    consultation = Consultation.objects.create(
        municipality=municipality, topic="data", title=f"{town.marker}の相談", body=town.marker
    )
    stored = ConsultationFile(
        municipality=municipality,
        consultation=consultation,
        original_name=f"{town.marker}.pdf",
        content_type="application/pdf",
        size=4,
        sha256="x",
    )
    stored.file.save(str(stored.id), ContentFile(pdf_bytes()), save=False)
    stored.save()
    liaison_services.notice_send(
        prefecture=prefecture,
        actor=town.staff[Role.MANAGER],
        title=f"{town.marker}へのお知らせ",
        body=town.marker,
        to_all=True,
        targets=[],
    )
    return town


def snapshot(town: Town) -> dict[str, list[dict[str, Any]]]:
    """Every tenant-owned row of the town, field by field."""
    rows = {}
    for model in apps.get_models():
        if municipality_path(model):
            found = Scope.of_municipality(town.municipality).filter(model._default_manager.all())
            rows[model._meta.label] = [model_to_dict(r) for r in found.order_by("pk")]
    return rows


def staff_client(user: StaffUser) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def resident_client(a: Town, b: Town) -> Client:
    """A resident who started an application and found a booking in both towns."""
    client = Client(raise_request_exception=False)
    for town in (a, b):
        code = town.municipality.code
        procedure = owned_row(Procedure, town)
        assert client.post(f"/{code}/procedures/{procedure.slug}/apply/").status_code == 302
        # and made a pre-input (its QR page, view and delete address the session's own)
        issued = counter_services.preinput_issue(
            procedure=procedure, form_version=procedure.current_version, answers=VALID_ANSWERS
        )
        session = client.session
        preinput_views.remember_result(session, code, procedure.slug, issued)
        # and a visit's pre-input of its life event (several procedures, one QR code)
        visit = counter_services.visit_preinput_issue(
            municipality=town.municipality,
            life_event=owned_row(LifeEvent, town),
            items=[counter_services.VisitItem(procedure, procedure.current_version, VALID_ANSWERS)],
            shared={},
        )
        visit_views.remember_result(
            session, code, owned_row(LifeEvent, town).slug, [procedure.slug], visit
        )
        session.save()
        found = client.post(
            f"/{code}/reserve/find/",
            {"code": town.secrets["booking_code"], "secret": town.secrets["booking_secret"]},
        )
        assert found.status_code == 302, found.content.decode()[:500]
    return client


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str


def ask(client: Client, method: str, url: str, body: dict[str, str]) -> Answer:
    response = client.get(url) if method == "GET" else client.post(url, body)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return Answer(response.status_code, response.get("Location", ""), body.decode(errors="replace"))


def may_open(user: StaffUser, route: Route) -> bool:
    """Whether the role holds any permission on the admin page's model (else it is refused
    before any lookup, and asking as that role proves nothing)."""
    model = admin_model(route)
    assert model is not None
    label, name = model._meta.app_label, model._meta.model_name
    return any(user.has_perm(f"{label}.{action}_{name}") for action in ("view", "change", "delete"))


def closed_to_the_town(route: Route, town: Town) -> bool:
    """Admin pages of a model that no staff role of the town may open (axes, tasks, …)."""
    return admin_model(route) is not None and not any(
        may_open(user, route) for user in town.staff.values()
    )


def judge(foreign: Answer, missing: Answer, other: Town, theirs: str, absent: str) -> str:
    if foreign.status >= 500 or missing.status >= 500:
        return f"server error ({foreign.status}, missing object: {missing.status})"
    if 200 <= foreign.status < 300:
        return f"answered {foreign.status}"
    if other.marker in foreign.body:
        return "shows the other town's data"
    if foreign.status in (403, 404):
        return ""
    # A redirect that only echoes the identifier (the admin's "<id>/" → "<id>/change/") is alike.
    where, expected = foreign.location.replace(theirs, "…"), missing.location.replace(absent, "…")
    if (foreign.status, where) != (missing.status, expected):
        return (
            f"answered {foreign.status} {foreign.location}, unlike a missing object "
            f"({missing.status} {missing.location})"
        )
    return ""


def object_routes() -> list[tuple[Route, list[str]]]:
    """Routes with at least one object parameter, and those parameter names."""
    found = []
    for route in project_routes():
        names = [
            name
            for name in route.parameters
            if isinstance(source_for(route, name), Object | Secret)
        ]
        if names and not any(isinstance(source_for(route, n), Skip) for n in route.parameters):
            found.append((route, names))
    return found


def test_every_url_parameter_is_mapped():
    unmapped = sorted(
        {
            f"{name!r} in {route.route}"
            for route in project_routes()
            for name in route.parameters
            if source_for(route, name) is None
        }
    )
    assert not unmapped, (
        "A URL takes a parameter the isolation test does not know. Add it to PARAMETERS in "
        "tenancy/tests/test_isolation.py, e.g. 'ticket_id': Object(Ticket) for a row, "
        "Secret('name') for a secret link (set town.secrets['name'] in build_town()), or "
        "Context(...) when it names no tenant object:\n" + "\n".join(unmapped)
    )


def test_no_url_reaches_another_towns_objects():
    a = build_town("甲", PrefectureFactory(), with_check_digit("22901"))
    b = build_town("乙", PrefectureFactory(code="190004", name="山梨県"), with_check_digit("19901"))
    resident = resident_client(a, b)
    staff = {role: staff_client(user) for role, user in a.staff.items()}
    token = Client(
        raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {a.secrets['api_token']}"
    )
    before = snapshot(b)
    failures: list[str] = []
    unreached: list[str] = []
    routes = tried = asked = 0
    for route, names in object_routes():
        own = {name: value_for(route, name, a) for name in route.parameters}
        if any(own[name] is None for name in names):
            continue  # the admin of a model that belongs to no tenant
        routes += 1
        if route.route.startswith("staff/"):
            clients = staff
        elif route.route.startswith("api/v1/handoff/"):
            clients = {"api token": token}
        else:
            clients = {"resident": resident}
        body = next((make(a) for key, make in BODIES.items() if key in "/" + route.route), {})
        if admin_model(route) is not None:
            clients = {r: c for r, c in clients.items() if may_open(a.staff[r], route)}
        reached = False
        own_statuses = set()
        for role, client in clients.items():
            # The admin looks objects up the same way for both methods: GET is enough there.
            methods = ("GET",) if route.route.startswith(ADMIN_PREFIX) else ("GET", "POST")
            for method in methods:
                mine = ask(client, method, route.url(own), body)
                own_statuses.add(mine.status)
                asked += 1
                for name in names:
                    absent = MISSING[route.converters.get(name, "str")]
                    missing = ask(client, method, route.url({**own, name: absent}), body)
                    asked += 1
                    if max(mine.status, missing.status) >= 500:
                        failures.append(f"{method} /{route.route} as {role}: server error")
                    if (mine.status, mine.location) == (missing.status, missing.location):
                        continue  # this role and method do not reach the object at all
                    reached = True
                    theirs = value_for(route, name, b)
                    foreign = ask(client, method, route.url({**own, name: theirs}), body)
                    tried += 1
                    asked += 1
                    problem = judge(foreign, missing, b, theirs, absent)
                    if problem:
                        failures.append(
                            f"{method} /{route.route} as {role}, {name} of B: {problem}"
                        )
        refused_to_all = own_statuses == {403}  # e.g. the admin's TOTP secret pages
        if not reached and not refused_to_all and not closed_to_the_town(route, a):
            unreached.append(route.route)
    print(
        f"isolation: {routes} URL patterns, {asked} requests, {tried} of them with B's object "
        f"where A's own reached the view, {len(failures)} leaks"
    )
    assert not failures, "\n".join(failures)
    assert not unreached, (
        "These URLs answered A's own object like a missing one for every role, so the test "
        "proves nothing there; give build_town() the state they need:\n" + "\n".join(unreached)
    )
    assert snapshot(b) == before
