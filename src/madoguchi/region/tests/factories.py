from __future__ import annotations

from decimal import Decimal

import factory

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.region.models import (
    Agreement,
    AgreementMember,
    Domain,
    JointSystem,
    Participation,
    SystemType,
)
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

# 幡多 (高知県): the worked example of docs/cost-sharing.md.
HATA = [
    ("392081", "宿毛市", 19_000, 2_100),
    ("392090", "土佐清水市", 12_000, 1_500),
    ("392103", "四万十市", 32_000, 4_300),
    ("394246", "大月町", 4_500, 400),
    ("394271", "三原村", 1_400, 90),
    ("394289", "黒潮町", 10_000, 1_100),
]


def hata_municipalities() -> list:
    prefecture = prefecture_for("392081")
    return [
        MunicipalityFactory(code=code, name=name, prefecture=prefecture, population=population)
        for code, name, population, _ in HATA
    ]


def prefecture_user(prefecture, *, dx: bool = True, username: str | None = None):
    return StaffUserFactory(
        username=username or f"pref-{prefecture.code}-{'dx' if dx else 'viewer'}",
        municipality=None,
        prefecture=prefecture,
        role=Role.PREFECTURE_DX if dx else Role.PREFECTURE_VIEWER,
    )


class JointSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointSystem

    prefecture = factory.LazyFunction(lambda: prefecture_for("392081"))
    name = factory.Sequence(lambda n: f"共同システム{n}")
    domain = Domain.BUSINESS
    system_type = SystemType.E_APPLICATION
    vendor = "株式会社テスト"
    annual_cost = 12_000_000

    class Params:
        public = factory.Trait(is_public=True)
        chatbot = factory.Trait(system_type=SystemType.AI_CHATBOT, domain=Domain.TOOL)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    system = factory.SubFactory(JointSystemFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    population = 10_000
    staff_covered = 50


class AgreementFactory(factory.django.DjangoModelFactory):
    """幡多広域 10/45/45 by default (members added with `hata_agreement`)."""

    class Meta:
        model = Agreement

    prefecture = factory.LazyFunction(lambda: prefecture_for("392081"))
    name = "電子申請システム負担金"
    fiscal_year = 2026
    total = 48_000_000
    weight_equal = Decimal("0.1")
    weight_population = Decimal("0.45")
    weight_usage = Decimal("0.45")
    weight_need = Decimal(0)
    rounding_unit = 1000


def hata_agreement(municipalities=None) -> Agreement:
    municipalities = municipalities or hata_municipalities()
    agreement = AgreementFactory(prefecture=municipalities[0].prefecture)
    usage = {code: u for code, _, _, u in HATA}
    for m in municipalities:
        AgreementMember.objects.create(
            agreement=agreement,
            municipality=m,
            population=m.population,
            usage=Decimal(usage[m.code]),
        )
    return agreement
