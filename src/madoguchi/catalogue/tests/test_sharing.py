"""Shared procedures: published by a prefecture, adopted, overridden, updated, taken or not."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from madoguchi.catalogue.models import ProcedureAdoption, SharedProcedureVersion
from madoguchi.catalogue.sharing import selectors, services
from madoguchi.catalogue.sharing.diff import version_changes
from madoguchi.procedures.library import load_library
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory

from .factories import other_prefecture, shared_data

pytestmark = pytest.mark.django_db

EXTRA = [
    {
        "key": "local_bus_pass",
        "type": "choice",
        "label": "町のバス乗車券が必要ですか",
        "label_en": "Do you need the town bus pass?",
        "required": True,
        "options": [
            {"value": "yes", "label": "はい", "label_en": "Yes"},
            {"value": "no", "label": "いいえ", "label_en": "No"},
        ],
    }
]


def test_adopted_overridden_updated_and_taken_by_one_town_not_the_other():
    shizuoka = PrefectureFactory()
    hamamatsu = MunicipalityFactory(prefecture=shizuoka, name="浜松市")
    numazu = MunicipalityFactory(prefecture=shizuoka, name="沼津市")
    v1 = services.shared_procedure_publish(prefecture=shizuoka, data=shared_data())
    shared = v1.shared

    # Both adopt in one step: each gets an ordinary, published procedure with form version 1.
    a_hama = services.procedure_adopt(municipality=hamamatsu, shared=shared)
    a_numa = services.procedure_adopt(municipality=numazu, shared=shared)
    for adoption in (a_hama, a_numa):
        procedure = adoption.procedure
        assert procedure.is_published and procedure.municipality == adoption.municipality
        assert procedure.current_version.number == 1
        assert procedure.fees == "無料"

    # 浜松市 overrides fees, department, contact and adds a field of its own.
    services.adoption_overrides_update(
        adoption=a_hama,
        fees="1件200円",
        department="浜松市 建築行政課",
        contact="053-000-0000（平日 8:30〜17:15）",
        extra_fields=EXTRA,
    )
    hama = Procedure.objects.get(pk=a_hama.procedure_id)
    assert hama.fees == "1件200円" and hama.department == "浜松市 建築行政課"
    assert "053-000-0000" in hama.description
    steps = [s["key"] for s in hama.current_version.definition["steps"]]
    assert steps == ["applicant", services.LOCAL_STEP_KEY, "details"]
    assert hama.current_version.number == 2

    # The prefecture publishes version 2: a new field, a changed label, a new department.
    form = copy.deepcopy(v1.data["form"])
    form["steps"][0]["fields"].append(
        {"key": "phone", "type": "phone", "label": "電話番号", "role": "applicant_phone"}
    )
    form["steps"][1]["fields"][0]["label"] = "配偶者はいますか"
    v2 = services.shared_procedure_publish(
        prefecture=shizuoka,
        data=shared_data(form=form, department="くらし・環境部 建築住宅課"),
        note="電話番号を追加",
    )
    assert v2.number == 2
    # Publishing the same data again makes no new version.
    assert services.shared_procedure_publish(prefecture=shizuoka, data=v2.data).pk == v2.pk

    # Each adopter sees the pending update and what changed; nothing changed yet.
    for town in (hamamatsu, numazu):
        rows = selectors.pending_updates(municipality=town)
        assert [r.adoption.shared_id for r in rows] == [shared.pk]
    changes = selectors.adoption_pending_changes(
        adoption=ProcedureAdoption.objects.get(pk=a_hama.pk)
    )
    kinds = {(c.kind, c.where) for c in changes}
    assert ("added", "申請者 › 電話番号") in kinds
    assert ("changed", "内容 › 配偶者はいますか") in kinds  # named by its new label
    department = next(c for c in changes if c.where == "担当課")
    assert department.overridden  # 浜松市 keeps its own department
    assert Procedure.objects.get(pk=a_numa.procedure_id).current_version.number == 1

    # 浜松市 takes the update; 沼津市 does not (yet).
    services.adoption_update_take(adoption=a_hama)
    hama = Procedure.objects.get(pk=a_hama.procedure_id)
    definition = hama.current_version.definition
    keys = [f["key"] for s in definition["steps"] for f in s["fields"]]
    assert "phone" in keys and "local_bus_pass" in keys  # upstream change + local field
    assert hama.fees == "1件200円" and hama.department == "浜松市 建築行政課"  # overrides survive
    assert "053-000-0000" in hama.description
    assert hama.current_version.number == 3
    assert selectors.pending_updates(municipality=hamamatsu) == []

    numa = Procedure.objects.get(pk=a_numa.procedure_id)
    assert numa.current_version.number == 1
    assert "phone" not in [
        f["key"] for s in numa.current_version.definition["steps"] for f in s["fields"]
    ]
    assert numa.department == "建築住宅課"
    assert [r.adoption.pk for r in selectors.pending_updates(municipality=numazu)] == [a_numa.pk]

    # The prefecture sees counts: two adopters, one on the latest version.
    (row,) = selectors.prefecture_shared_procedures(prefecture=shizuoka)
    assert (row.latest_number, row.adopters, row.up_to_date) == (2, 2, 1)

    # Taking again is a no-op; an override removed brings the shared value back.
    services.adoption_update_take(adoption=a_hama)
    services.adoption_overrides_update(adoption=ProcedureAdoption.objects.get(pk=a_hama.pk))
    hama = Procedure.objects.get(pk=a_hama.procedure_id)
    assert hama.department == "くらし・環境部 建築住宅課" and hama.fees == "無料"
    assert "053-000-0000" not in hama.description


def test_another_prefectures_procedure_cannot_be_adopted():
    shizuoka = PrefectureFactory()
    tokyo = other_prefecture()
    shared = services.shared_procedure_publish(prefecture=tokyo, data=shared_data()).shared
    town = MunicipalityFactory(prefecture=shizuoka)
    assert not selectors.offered_shared_procedures(municipality=town).filter(pk=shared.pk).exists()
    with pytest.raises(ValidationError):
        services.procedure_adopt(municipality=town, shared=shared)
    assert not ProcedureAdoption.objects.exists()


def test_a_withdrawn_procedure_is_not_offered_but_adopters_keep_theirs():
    shizuoka = PrefectureFactory()
    town, other = MunicipalityFactory(prefecture=shizuoka), MunicipalityFactory(prefecture=shizuoka)
    shared = services.shared_procedure_publish(prefecture=shizuoka, data=shared_data()).shared
    adoption = services.procedure_adopt(municipality=town, shared=shared)
    services.shared_procedure_withdraw(shared=shared)
    with pytest.raises(ValidationError):
        services.procedure_adopt(municipality=other, shared=shared)
    assert Procedure.objects.filter(pk=adoption.procedure_id, is_published=True).exists()


def test_bad_local_fields_change_nothing():
    shizuoka = PrefectureFactory()
    town = MunicipalityFactory(prefecture=shizuoka)
    shared = services.shared_procedure_publish(prefecture=shizuoka, data=shared_data()).shared
    adoption = services.procedure_adopt(municipality=town, shared=shared)
    with pytest.raises(ValidationError) as info:
        services.adoption_overrides_update(
            adoption=adoption,
            fees="500円",
            extra_fields=[{"key": "x", "type": "signature", "label": "署名"}],
        )
    assert "様式定義に誤りがあります" in str(info.value)
    adoption.refresh_from_db()
    procedure = Procedure.objects.get(pk=adoption.procedure_id)
    assert adoption.fees == "" and procedure.fees == "無料"
    assert procedure.current_version.number == 1


def test_versions_are_immutable():
    version = services.shared_procedure_publish(prefecture=PrefectureFactory(), data=shared_data())
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        SharedProcedureVersion.objects.update(note="x")


def test_the_national_library_is_offered_to_every_town_and_links_installed_procedures():
    from madoguchi.procedures.services import library_install

    versions = services.national_library_publish()
    assert len(versions) == len(load_library())
    assert services.national_library_publish() == versions  # nothing new on a second run
    town = MunicipalityFactory(prefecture=other_prefecture())
    installed = {p.slug: p for p in library_install(municipality=town)}
    offered = selectors.offered_shared_procedures(municipality=town)
    assert offered.count() == len(versions)
    shared = offered.get(slug="residence-certificate")
    adoption = services.procedure_adopt(municipality=town, shared=shared)
    # The procedure installed earlier is the adopted one (its applications stay with it).
    assert adoption.procedure_id == installed["residence-certificate"].pk
    assert adoption.procedure.current_version.number == 1


def test_version_changes_words():
    before = shared_data()
    after = shared_data(fees="300円", name="新しい名前")
    del after["form"]["steps"][1]["fields"][1]
    changes = version_changes(before, after, overridden=frozenset({"fees"}))
    described = {(c.kind, c.where, c.overridden) for c in changes}
    assert ("changed", "手数料", True) in described
    assert ("changed", "手続名", False) in described
    assert ("removed", "内容 › 配偶者の氏名", False) in described
