"""Factories for applications: a small procedure whose form has a name, a 和暦 date, an e-mail
address and a required attachment — enough to exercise every path of the journey."""

from __future__ import annotations

from typing import Any

import factory

from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.tenancy.tests.factories import MunicipalityFactory

DEFINITION: dict[str, Any] = {
    "title": "テスト申請",
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
            "key": "documents",
            "title": "添付書類",
            "fields": [
                {
                    "key": "id_document",
                    "type": "file",
                    "label": "本人確認書類",
                    "required": True,
                    "accept": ["pdf", "png", "jpeg"],
                }
            ],
        },
    ],
}

NO_FILE_DEFINITION: dict[str, Any] = {**DEFINITION, "steps": DEFINITION["steps"][:1]}

VALID_ANSWERS: dict[str, Any] = {
    "name": {"family": "山田", "given": "花子", "family_kana": "やまだ", "given_kana": "ハナコ"},
    "birth_date": "昭和50年4月1日",
    "email": "hanako@example.jp",
}


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    municipality = factory.SubFactory(MunicipalityFactory)
    slug = factory.Sequence(lambda n: f"test-procedure-{n}")
    name = factory.Sequence(lambda n: f"テスト手続{n}")
    summary = "テスト用の手続です。"
    is_published = True
    online = True
    standard_processing_days = 7


class FormVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = 1
    definition = factory.LazyFunction(lambda: DEFINITION)

    class Params:
        without_files = factory.Trait(definition=factory.LazyFunction(lambda: NO_FILE_DEFINITION))
