"""Staff pages of shared procedures: who may see and do what, and nothing across tenants."""

from __future__ import annotations

import json

import pytest

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.models import Application
from madoguchi.applications.tests.factories import ApplicationFactory
from madoguchi.catalogue.models import ProcedureAdoption, SharedProcedure
from madoguchi.catalogue.sharing import services
from madoguchi.core.models import AuditEvent
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory

from .factories import other_prefecture, shared_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    shizuoka, tokyo = PrefectureFactory(), other_prefecture()
    town = MunicipalityFactory(prefecture=shizuoka, name="浜松市")
    neighbour = MunicipalityFactory(prefecture=shizuoka, name="沼津市")
    far = MunicipalityFactory(prefecture=tokyo, code="131016", name="千代田区")
    ours = services.shared_procedure_publish(prefecture=shizuoka, data=shared_data()).shared
    theirs = services.shared_procedure_publish(
        prefecture=tokyo, data=shared_data("tokyo-only", name="都の手続")
    ).shared
    return {
        "shizuoka": shizuoka,
        "town": town,
        "neighbour": neighbour,
        "far": far,
        "ours": ours,
        "theirs": theirs,
        "admin": StaffUserFactory(municipality=town, admin=True),
        "neighbour_admin": StaffUserFactory(municipality=neighbour, admin=True),
        "far_admin": StaffUserFactory(municipality=far, admin=True),
        "manager": StaffUserFactory(municipality=town, manager=True),
        "dx": StaffUserFactory(municipality=None, prefecture=shizuoka, role=Role.PREFECTURE_DX),
        "tokyo_dx": StaffUserFactory(municipality=None, prefecture=tokyo, role=Role.PREFECTURE_DX),
        "viewer": StaffUserFactory(
            municipality=None, prefecture=shizuoka, role=Role.PREFECTURE_VIEWER
        ),
    }


def test_admin_adopts_in_one_click_sets_overrides_and_takes_an_update(client, world):
    client.force_login(world["admin"])
    page = client.get("/staff/catalogue/shared/").content.decode()
    assert "県の住宅耐震補助の申請" in page and "都の手続" not in page
    adopted = client.post(f"/staff/catalogue/shared/{world['ours'].pk}/adopt/")
    adoption = ProcedureAdoption.objects.get(municipality=world["town"])
    assert adopted["Location"] == f"/staff/catalogue/shared/adopted/{adoption.pk}/"
    url = adopted["Location"]
    saved = client.post(
        url,
        {"fees": "200円", "department": "", "contact": "053-000-0000", "extra_fields": ""},
    )
    assert saved.status_code == 302
    assert Procedure.objects.get(pk=adoption.procedure_id).fees == "200円"
    # Bad JSON: the reader is told, nothing changes.
    bad = client.post(url, {"fees": "900円", "extra_fields": "{not json"})
    assert bad.status_code == 400 and "JSON のリスト" in bad.content.decode()
    bad = client.post(url, {"fees": "900円", "extra_fields": json.dumps([{"key": "x"}])})
    assert bad.status_code == 400 and "様式定義に誤りがあります" in bad.content.decode()
    assert Procedure.objects.get(pk=adoption.procedure_id).fees == "200円"

    data = shared_data(department="新しい課")
    data["form"]["steps"][0]["fields"].append({"key": "memo", "type": "text", "label": "メモ"})
    services.shared_procedure_publish(prefecture=world["shizuoka"], data=data)
    page = client.get("/staff/catalogue/shared/").content.decode()
    assert "第1版 → 最新：第2版" in page
    detail = client.get(url).content.decode()
    assert "申請者 › メモ" in detail and "第2版を取り込む" in detail
    assert "この自治体の設定が優先され" not in detail  # the department is not overridden
    taken = client.post(f"{url}take/")
    assert taken.status_code == 302
    procedure = Procedure.objects.get(pk=adoption.procedure_id)
    assert procedure.fees == "200円" and procedure.department == "新しい課"
    assert "最新の版を採用しています" in client.get(url).content.decode()


def test_other_prefectures_procedures_cannot_be_seen_or_adopted(client, world):
    client.force_login(world["admin"])
    response = client.post(f"/staff/catalogue/shared/{world['theirs'].pk}/adopt/")
    assert response.status_code == 404
    assert not ProcedureAdoption.objects.exists()


def test_another_towns_adoption_is_not_found(client, world):
    adoption = services.procedure_adopt(municipality=world["town"], shared=world["ours"])
    for user in ("neighbour_admin", "far_admin"):
        client.force_login(world[user])
        url = f"/staff/catalogue/shared/adopted/{adoption.pk}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"fees": "1円"}).status_code == 404
        assert client.post(f"{url}take/").status_code == 404
    assert ProcedureAdoption.objects.get(pk=adoption.pk).fees == ""


def test_a_manager_sees_but_cannot_adopt_or_change(client, world):
    adoption = services.procedure_adopt(municipality=world["town"], shared=world["ours"])
    client.force_login(world["manager"])
    assert client.get("/staff/catalogue/shared/").status_code == 200
    url = f"/staff/catalogue/shared/adopted/{adoption.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"fees": "1円"}).status_code == 403
    assert client.post(f"{url}take/").status_code == 403
    assert client.post(f"/staff/catalogue/shared/{world['ours'].pk}/adopt/").status_code == 403
    assert ProcedureAdoption.objects.get(pk=adoption.pk).fees == ""


def test_prefecture_publishes_and_sees_counts_only_of_its_own(client, world):
    services.procedure_adopt(municipality=world["town"], shared=world["ours"])
    client.force_login(world["dx"])
    page = client.get("/staff/catalogue/shared/prefecture/").content.decode()
    assert "県の住宅耐震補助の申請" in page and "都の手続" not in page
    data = shared_data("new-one", name="県の新しい手続")
    published = client.post(
        "/staff/catalogue/shared/prefecture/",
        {"procedure_json": json.dumps(data, ensure_ascii=False), "note": "初版"},
    )
    shared = SharedProcedure.objects.get(prefecture=world["shizuoka"], slug="new-one")
    assert published["Location"] == f"/staff/catalogue/shared/prefecture/{shared.pk}/"
    assert "初版" in client.get(published["Location"]).content.decode()
    bad = client.post(
        "/staff/catalogue/shared/prefecture/", {"procedure_json": '{"slug": "x", "form": 1}'}
    )
    assert bad.status_code == 400 and "様式定義に誤りがあります" in bad.content.decode()
    # Another prefecture's procedure is not found; the viewer reads but cannot publish.
    url = f"/staff/catalogue/shared/prefecture/{world['theirs'].pk}/"
    assert client.get(url).status_code == 404
    client.force_login(world["tokyo_dx"])
    assert client.get(f"/staff/catalogue/shared/prefecture/{shared.pk}/").status_code == 404
    client.force_login(world["viewer"])
    assert client.get("/staff/catalogue/shared/prefecture/").status_code == 200
    denied = client.post(
        "/staff/catalogue/shared/prefecture/", {"procedure_json": json.dumps(data)}
    )
    assert denied.status_code == 403


def test_municipality_staff_cannot_publish_and_prefecture_users_cannot_adopt(client, world):
    client.force_login(world["admin"])
    assert client.get("/staff/catalogue/shared/prefecture/").status_code == 403
    client.force_login(world["dx"])
    assert client.get("/staff/catalogue/shared/").status_code == 403
    assert client.post(f"/staff/catalogue/shared/{world['ours'].pk}/adopt/").status_code == 403


def test_a_town_withdraws_an_adoption_its_applications_keep_their_version(client, world):
    adoption = services.procedure_adopt(municipality=world["town"], shared=world["ours"])
    procedure = adoption.procedure
    version = procedure.current_version
    made = ApplicationFactory(form_version=version)
    url = f"/staff/catalogue/shared/adopted/{adoption.pk}/withdraw/"
    # Another town's administrator, and a manager of the town, cannot withdraw it.
    client.force_login(world["neighbour_admin"])
    assert client.post(url).status_code == 404
    client.force_login(world["manager"])
    assert client.post(url).status_code == 403
    assert ProcedureAdoption.objects.filter(pk=adoption.pk).exists()

    client.force_login(world["admin"])
    assert (
        'id="withdraw-adoption"'
        in client.get(f"/staff/catalogue/shared/adopted/{adoption.pk}/").content.decode()
    )
    assert client.post(url)["Location"] == "/staff/catalogue/shared/"
    assert not ProcedureAdoption.objects.filter(pk=adoption.pk).exists()
    procedure.refresh_from_db()
    assert procedure.is_published is False
    # Residents cannot start it any more; the application made before keeps its version.
    code = world["town"].code
    assert client.get(f"/{code}/procedures/{procedure.slug}/").status_code == 404
    assert client.post(f"/{code}/procedures/{procedure.slug}/apply/").status_code == 404
    assert Application.objects.get(pk=made.pk).form_version_id == version.pk
    event = AuditEvent.objects.get(action="withdraw_adoption")
    assert event.actor == world["admin"] and event.object_id == str(adoption.pk)
    # The catalogue offers it again, and adopting again links the same procedure.
    again = services.procedure_adopt(municipality=world["town"], shared=world["ours"])
    assert again.procedure_id == procedure.pk
