"""Factories for procedures and form versions, with workflow-state traits."""

from __future__ import annotations

import copy
from typing import Any

import factory

from madoguchi.procedures.library import load_library
from madoguchi.procedures.models import Category, FormVersion, Procedure
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

# A small form touching the main field types; tests change copies of it.
SIMPLE_DEFINITION: dict[str, Any] = {
    "format": 1,
    "title": "テスト申請書",
    "steps": [
        {
            "key": "applicant",
            "title": "申請者",
            "fields": [
                {
                    "key": "name",
                    "type": "name",
                    "label": "氏名",
                    "required": True,
                    "role": "applicant_name",
                },
                {
                    "key": "birth_date",
                    "type": "date",
                    "label": "生年月日",
                    "required": True,
                    "max": "today",
                    "role": "applicant_birth_date",
                },
                {
                    "key": "email",
                    "type": "email",
                    "label": "メールアドレス",
                    "role": "applicant_email",
                },
            ],
        },
        {
            "key": "details",
            "title": "内容",
            "fields": [
                {
                    "key": "has_spouse",
                    "type": "choice",
                    "label": "配偶者",
                    "required": True,
                    "options": [
                        {"value": "yes", "label": "いる"},
                        {"value": "no", "label": "いない"},
                    ],
                },
                {
                    "key": "spouse_name",
                    "type": "name",
                    "label": "配偶者の氏名",
                    "required": True,
                    "when": {"field": "has_spouse", "equals": "yes"},
                },
            ],
        },
    ],
}


def simple_definition() -> dict[str, Any]:
    return copy.deepcopy(SIMPLE_DEFINITION)


def library_entry(slug: str) -> dict[str, Any]:
    for entry in load_library():
        if entry["slug"] == slug:
            return entry
    raise KeyError(slug)


def chiyoda() -> Any:
    """東京都千代田区 (131016) in 東京都 (130001): codes with valid check digits."""
    return MunicipalityFactory(code="131016", prefecture=prefecture_for("131016"), name="千代田区")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    municipality = factory.SubFactory(MunicipalityFactory)
    slug = factory.Sequence(lambda n: f"procedure-{n}")
    name = factory.Sequence(lambda n: f"テスト手続{n}")
    category = Category.OTHER
    summary = "テスト用の手続です。"
    online = True
    is_published = True

    class Params:
        unpublished = factory.Trait(is_published=False)
        counter_only = factory.Trait(online=False, counter_preinput=True, booking=True)
        childcare = factory.Trait(category=Category.CHILDCARE)


class FormVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.Sequence(lambda n: n + 1)
    definition = factory.LazyFunction(simple_definition)

    class Params:
        first = factory.Trait(number=1)
        child_allowance = factory.Trait(
            definition=factory.LazyFunction(lambda: library_entry("child-allowance")["form"])
        )
