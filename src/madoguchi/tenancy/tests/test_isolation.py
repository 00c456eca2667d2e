"""No URL or API lets one municipality's users read or change another's data.

Two municipalities, each with a procedure, a draft, an application and staff. Every resident
URL and API endpoint is exercised with the other municipality's identifiers, and every admin
page with the other municipality's staff.
"""

import json

import pytest
from django.test import Client

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications import services
from madoguchi.applications.tests.factories import VALID_ANSWERS, FormVersionFactory

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
