from __future__ import annotations

import factory

from madoguchi.core.municipality_code import PREFECTURES_BY_CODE, with_check_digit
from madoguchi.tenancy.models import Municipality, Prefecture


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture
        django_get_or_create = ("code",)

    code = "220001"  # 静岡県
    name = "静岡県"
    name_kana = "シズオカケン"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    """Municipalities with valid codes (check digit included), 静岡県 by default."""

    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    prefecture = factory.SubFactory(PrefectureFactory)
    code = factory.Sequence(lambda n: with_check_digit(f"22{900 + n % 99:03d}"))
    name = factory.Sequence(lambda n: f"テスト{n}市")
    name_kana = "テストシ"
    phone = "055-000-0000"


def prefecture_for(code: str) -> Prefecture:
    pref = PREFECTURES_BY_CODE[code[:2]]
    return PrefectureFactory(code=pref.municipality_code, name=pref.name, name_kana=pref.kana)
