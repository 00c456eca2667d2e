import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from madoguchi.tenancy.models import Municipality
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory

pytestmark = pytest.mark.django_db


def test_municipality_code_check_digit_is_validated_on_full_clean():
    prefecture = PrefectureFactory()
    municipality = Municipality(code="222209", prefecture=prefecture, name="裾野市")
    with pytest.raises(ValidationError) as exc:
        municipality.full_clean()
    assert "検査数字" in str(exc.value.message_dict["code"])
    municipality.code = "222208"
    municipality.full_clean()


def test_codes_are_unique():
    MunicipalityFactory(code="222208")
    prefecture = PrefectureFactory()
    with pytest.raises(IntegrityError):
        Municipality.objects.create(code="222208", prefecture=prefecture, name="重複")


def test_brand_theme_is_a_css_class_name():
    municipality = MunicipalityFactory(brand_color="#115a36")
    assert municipality.brand_theme == "green"
