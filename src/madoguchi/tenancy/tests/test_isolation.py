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
