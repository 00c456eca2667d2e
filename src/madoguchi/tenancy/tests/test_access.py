"""Scope: one municipality, a prefecture's municipalities, or nothing; access_* honour it."""

import pytest
from django.http import Http404

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.access import Scope, access_tenant_object, municipality_path
from madoguchi.tenancy.models import Municipality, Prefecture
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    """Two towns in 静岡県 and one in 山梨県, each with a procedure and a form version."""
    shizuoka = PrefectureFactory()
    yamanashi = PrefectureFactory(code="190004", name="山梨県")
    towns = {
        "a": MunicipalityFactory(prefecture=shizuoka),
        "b": MunicipalityFactory(prefecture=shizuoka),
        "c": MunicipalityFactory(prefecture=yamanashi),
    }
    versions = {key: FormVersionFactory(procedure__municipality=m) for key, m in towns.items()}
    return {"shizuoka": shizuoka, "yamanashi": yamanashi, "towns": towns, "versions": versions}


def test_the_path_to_the_owning_municipality_is_found_through_parents():
    assert municipality_path(Procedure) == "municipality"
    assert municipality_path(FormVersion) == "procedure__municipality"
    assert municipality_path(Municipality) == ""
    assert municipality_path(Prefecture) is None


def test_a_municipality_scope_sees_its_own_rows_only(region):
    a = region["towns"]["a"]
    scope = Scope.of_municipality(a)
    assert list(scope.filter(Procedure.objects.all())) == [region["versions"]["a"].procedure]
    assert list(Procedure.objects.for_scope(scope)) == [region["versions"]["a"].procedure]
    assert list(scope.filter(FormVersion.objects.all())) == [region["versions"]["a"]]
    assert list(scope.municipalities()) == [a]
    assert scope.includes(a) and not scope.includes(region["towns"]["b"])


def test_a_prefecture_scope_sees_its_municipalities_and_no_other(region):
    scope = Scope.of_prefecture(region["shizuoka"])
    towns = region["towns"]
    assert set(scope.municipalities()) == {towns["a"], towns["b"]}
    assert set(scope.filter(FormVersion.objects.all())) == {
        region["versions"]["a"],
        region["versions"]["b"],
    }
    assert scope.is_prefecture and scope.includes(towns["b"]) and not scope.includes(towns["c"])


def test_staff_scope_follows_the_staff_members_tenant(region):
    towns = region["towns"]
    clerk = StaffUserFactory(municipality=towns["c"])
    viewer = StaffUserFactory(
        municipality=None, prefecture=region["shizuoka"], role=Role.PREFECTURE_VIEWER
    )
    operator = StaffUserFactory(municipality=None, role="", is_superuser=True)
    assert Scope.of_staff(clerk) == Scope.of_municipality(towns["c"])
    assert Scope.of_staff(viewer) == Scope.of_prefecture(region["shizuoka"])
    # A staff member without a tenant sees nothing rather than everything.
    assert Scope.of_staff(operator).is_empty
    assert not Scope.of_staff(operator).filter(Procedure.objects.all()).exists()


def test_a_scope_is_one_municipality_or_one_prefecture_and_is_frozen(region):
    with pytest.raises(ValueError):
        Scope(municipality_id=region["towns"]["a"].pk, prefecture_id=region["shizuoka"].pk)
    scope = Scope.of_municipality(region["towns"]["a"])
    with pytest.raises(AttributeError):
        scope.municipality_id = region["towns"]["b"].pk  # type: ignore[misc]


def test_a_scope_refuses_models_that_are_not_tenant_owned(region):
    with pytest.raises(TypeError):
        Scope.of_prefecture(region["shizuoka"]).filter(Prefecture.objects.all())


def test_access_gives_the_same_not_found_for_missing_and_foreign_rows(region):
    a, c = region["towns"]["a"], region["towns"]["c"]
    own = region["versions"]["a"]
    foreign = region["versions"]["c"]
    assert access_tenant_object(FormVersion, municipality=a, pk=own.pk) == own
    for pk in (foreign.pk, 10**9):
        with pytest.raises(Http404):
            access_tenant_object(FormVersion, municipality=a, pk=pk)
    pref = Scope.of_prefecture(region["shizuoka"])
    assert access_tenant_object(Procedure, scope=pref, pk=region["versions"]["b"].procedure.pk)
    with pytest.raises(Http404):
        access_tenant_object(Procedure, scope=pref, pk=foreign.procedure.pk)
    with pytest.raises(Http404):
        access_tenant_object(Procedure, scope=Scope.of_municipality(c), pk=own.procedure.pk)
    with pytest.raises(TypeError):
        access_tenant_object(Procedure, pk=own.procedure.pk)
