"""Import, versioning, the standard library, tenant-scoped selectors and the admin."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.procedures.library import load_library
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.procedures.selectors import (
    category_counts,
    form_version_current,
    form_version_definition,
    procedure_get,
    procedure_list,
)
from madoguchi.procedures.services import form_version_create, library_install, procedure_import
from madoguchi.tenancy.tests.factories import MunicipalityFactory

from .factories import FormVersionFactory, ProcedureFactory, chiyoda, simple_definition

pytestmark = pytest.mark.django_db


def import_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": "test-procedure",
        "name": "テスト手続",
        "category": "childcare",
        "summary": "テスト",
        "what_to_bring": ["本人確認書類", "印鑑"],
        "search_keywords": ["てすと", "試験"],
        "online": True,
        "is_published": True,
        "form": simple_definition(),
    }
    data.update(changes)
    return data


# --- Import and versions -------------------------------------------------------------------------


def test_import_twice_unchanged_keeps_one_version() -> None:
    town = chiyoda()
    first = procedure_import(municipality=town, data=import_data())
    second = procedure_import(municipality=town, data=import_data(summary="説明を変更"))
    assert first.pk == second.pk
    assert second.summary == "説明を変更"
    assert second.what_to_bring == "本人確認書類\n印鑑"
    assert list(second.form_versions.values_list("number", flat=True)) == [1]


def test_changed_definition_makes_version_two_and_keeps_version_one() -> None:
    town = chiyoda()
    procedure = procedure_import(municipality=town, data=import_data())
    changed = simple_definition()
    changed["steps"][0]["fields"][2]["required"] = True
    procedure_import(municipality=town, data=import_data(form=changed))
    v1, v2 = procedure.form_versions.order_by("number")
    assert (v1.number, v2.number) == (1, 2)
    assert v1.definition == simple_definition()
    assert v2.definition == changed
    assert form_version_current(procedure=procedure) == v2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "form": {
                    "steps": [
                        {
                            "key": "a",
                            "title": "A",
                            "fields": [{"key": "x", "type": "nope", "label": "X"}],
                        }
                    ]
                }
            },
            "steps[0].fields[0].type",
        ),
        ({"category": "sports"}, "分類"),
        ({"colour": "red"}, "不明な項目"),
        ({"online": "yes"}, "online"),
        ({"slug": ""}, "slug"),
        ({"form": None}, "様式定義"),
    ],
)
def test_bad_import_changes_nothing(changes: dict[str, Any], message: str) -> None:
    town = chiyoda()
    procedure_import(municipality=town, data=import_data(slug="kept", summary="元の説明"))
    with pytest.raises(ValidationError) as caught:
        procedure_import(municipality=town, data=import_data(**changes))
    assert message in " ".join(caught.value.messages)
    assert list(Procedure.objects.values_list("slug", flat=True)) == ["kept"]
    assert FormVersion.objects.count() == 1


def test_update_that_fails_rolls_back() -> None:
    town = chiyoda()
    procedure_import(municipality=town, data=import_data(summary="元の説明"))
    with pytest.raises(ValidationError):
        procedure_import(
            municipality=town, data=import_data(summary="新しい説明", category="sports")
        )
    assert Procedure.objects.get().summary == "元の説明"


def test_form_versions_are_immutable() -> None:
    version = FormVersionFactory(first=True)
    version.definition = {}
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        FormVersion.objects.filter(pk=version.pk).update(number=5)
    added = form_version_create(procedure=version.procedure, definition=simple_definition())
    assert added.number == 2


def test_library_install_is_idempotent_and_keeps_publication_choices() -> None:
    town = chiyoda()
    installed = library_install(municipality=town)
    assert len(installed) == len(load_library())
    assert FormVersion.objects.count() == len(installed)
    Procedure.objects.filter(slug="bulky-waste").update(is_published=False)
    library_install(municipality=town)
    assert FormVersion.objects.count() == len(installed)
    assert not Procedure.objects.get(slug="bulky-waste").is_published
    version = form_version_current(procedure=installed[0])
    assert form_version_definition(form_version=version).steps


def test_import_command(tmp_path: Path) -> None:
    town = chiyoda()
    MunicipalityFactory()
    path = tmp_path / "procedures.json"
    path.write_text(
        json.dumps([import_data(slug="one"), import_data(slug="two")]), encoding="utf-8"
    )
    call_command("procedures_import", str(path), "--municipality", town.code, stdout=StringIO())
    assert set(Procedure.objects.values_list("slug", flat=True)) == {"one", "two"}
    path.write_text(json.dumps(import_data(slug="three", category="bad")), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("procedures_import", str(path), "--municipality", town.code)
    with pytest.raises(CommandError):
        call_command("procedures_import", str(path))  # two municipalities: which one?
    call_command("procedures_import", "library", "--municipality", town.code, stdout=StringIO())
    assert Procedure.objects.count() == 2 + len(load_library())


# --- Selectors -----------------------------------------------------------------------------------


def test_selectors_are_tenant_scoped() -> None:
    mine, theirs = chiyoda(), MunicipalityFactory()
    own = ProcedureFactory(municipality=mine, slug="shared-slug")
    ProcedureFactory(municipality=theirs, slug="shared-slug", name="よその手続")
    ProcedureFactory(municipality=theirs, slug="theirs-only")
    ProcedureFactory(municipality=mine, slug="draft", unpublished=True)
    assert procedure_get(municipality=mine, slug="shared-slug") == own
    for slug in ("theirs-only", "draft", "missing"):
        with pytest.raises(Http404):
            procedure_get(municipality=mine, slug=slug)
    assert list(procedure_list(municipality=mine)) == [own]


def test_search_tolerates_kana_and_width() -> None:
    town = chiyoda()
    allowance = ProcedureFactory(
        municipality=town, name="児童手当 認定請求", search_keywords="じどうてあて 出生"
    )
    waste = ProcedureFactory(municipality=town, name="粗大ごみ収集の申込", summary="ソダイゴミ")
    assert list(procedure_list(municipality=town, query="ジドウテアテ")) == [allowance]
    assert list(procedure_list(municipality=town, query="そだいごみ")) == [waste]
    assert list(procedure_list(municipality=town, query="ｿﾀﾞｲｺﾞﾐ")) == [waste]
    assert list(procedure_list(municipality=town, query="児童　認定")) == [allowance]
    # Words are ranked, not all required: a query about two things finds both.
    assert set(procedure_list(municipality=town, query="児童 ごみ")) == {allowance, waste}
    assert list(procedure_list(municipality=town, query="<script>" * 100)) == []


def test_filters_and_category_counts() -> None:
    town = chiyoda()
    a = ProcedureFactory(municipality=town, childcare=True, booking=True)
    b = ProcedureFactory(municipality=town, childcare=True, counter_only=True)
    ProcedureFactory(municipality=town, childcare=True, unpublished=True)
    ProcedureFactory(municipality=MunicipalityFactory(), childcare=True)
    assert set(procedure_list(municipality=town, category="childcare")) == {a, b}
    assert list(procedure_list(municipality=town, channel="online")) == [a]
    assert set(procedure_list(municipality=town, channel="booking")) == {a, b}
    assert list(procedure_list(municipality=town, channel="nope")) == []
    assert list(procedure_list(municipality=town, category="nope")) == []
    counts = category_counts(municipality=town)
    assert [(c.value, c.label, c.count) for c in counts] == [("childcare", "子育て", 2)]


def test_current_version_missing_is_404() -> None:
    with pytest.raises(Http404):
        form_version_current(procedure=ProcedureFactory())


# --- Admin ----------------------------------------------------------------------------------------


def test_admin_saving_a_changed_definition_adds_a_version(client: Any) -> None:
    town = chiyoda()
    staff = StaffUserFactory(municipality=town, admin=True, is_superuser=True)
    procedure = procedure_import(municipality=town, data=import_data())
    client.force_login(staff)
    url = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "definition"}
    data.update(
        {
            "municipality": town.pk,
            "what_to_bring": procedure.what_to_bring,
            "form_versions-TOTAL_FORMS": "1",
            "form_versions-INITIAL_FORMS": "1",
            "form_versions-0-id": procedure.form_versions.get().pk,
            "form_versions-0-procedure": procedure.pk,
        }
    )
    bad = {**data, "definition": json.dumps({"steps": []})}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "様式定義に誤りがあります" in response.content.decode()
    changed = simple_definition()
    changed["title"] = "改訂版"
    response = client.post(url, {**data, "definition": json.dumps(changed, ensure_ascii=False)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(procedure.form_versions.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]
    response = client.post(url, {**data, "definition": json.dumps(changed, ensure_ascii=False)})
    assert procedure.form_versions.count() == 2


def test_admin_for_municipality_staff_is_scoped(client: Any) -> None:
    from django.contrib.auth.models import Permission

    town, other = chiyoda(), MunicipalityFactory()
    staff = StaffUserFactory(municipality=town, admin=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="procedures"))
    own = ProcedureFactory(municipality=town, name="自分の手続")
    theirs = ProcedureFactory(municipality=other, name="よその手続")
    client.force_login(staff)
    listing = client.get(reverse("admin:procedures_procedure_changelist")).content.decode()
    assert "自分の手続" in listing and "よその手続" not in listing
    assert (
        client.get(reverse("admin:procedures_procedure_change", args=[own.pk])).status_code == 200
    )
    assert (
        client.get(reverse("admin:procedures_procedure_change", args=[theirs.pk])).status_code
        == 302
    )
    assert client.get(reverse("admin:procedures_procedure_add")).status_code == 200
