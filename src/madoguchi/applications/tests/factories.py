"""Factories for applications: a small procedure whose form has a name, a 和暦 date, an e-mail
address and a required attachment — enough to exercise every path of the journey."""

from __future__ import annotations

import json
from typing import Any

import factory
from django.utils import timezone

from madoguchi.applications.codes import hash_secret
from madoguchi.applications.search import search_key_for
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


# Answers as validate_answers() stores them (kana in katakana, dates ISO).
STORED_ANSWERS: dict[str, Any] = {
    "name": {"family": "山田", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ"},
    "birth_date": "1975-04-01",
    "email": "hanako@example.jp",
}


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application (no attachments) with workflow-state traits."""

    class Meta:
        model = "applications.Application"

    form_version = factory.SubFactory(FormVersionFactory, without_files=True)
    procedure = factory.LazyAttribute(lambda o: o.form_version.procedure)
    municipality = factory.LazyAttribute(lambda o: o.form_version.procedure.municipality)
    receipt_number = factory.Sequence(lambda n: f"20250401-{n % 10**6:06d}")
    channel = "online"
    status = "received"
    answers = factory.LazyFunction(lambda: json.loads(json.dumps(STORED_ANSWERS)))
    applicant_name = "山田 花子"
    applicant_kana = "ヤマダ ハナコ"
    contact_email = "hanako@example.jp"
    search_key = factory.LazyAttribute(
        lambda o: search_key_for(name=o.applicant_name, kana=o.applicant_kana)
    )
    access_code_salt = "salt"
    access_code_hash = factory.LazyFunction(lambda: hash_secret("12345678", "salt"))
    submitted_at = factory.LazyFunction(timezone.now)

    class Params:
        in_review = factory.Trait(status="in_review")
        correction_requested = factory.Trait(status="correction_requested")
        completed = factory.Trait(status="completed", closed_at=factory.LazyFunction(timezone.now))
        rejected = factory.Trait(status="rejected", closed_at=factory.LazyFunction(timezone.now))
        withdrawn = factory.Trait(status="withdrawn", closed_at=factory.LazyFunction(timezone.now))


def back_office_user(procedure: Procedure, **kwargs: Any) -> Any:
    """A 処理担当 whose department covers `procedure` (which gets a department if it has none)."""
    from madoguchi.accounts.models import StaffDepartment
    from madoguchi.accounts.tests.factories import StaffUserFactory

    if not procedure.department:
        procedure.department = "市民課"
        procedure.save(update_fields=["department"])
    user = StaffUserFactory(municipality=procedure.municipality, **kwargs)
    StaffDepartment.objects.create(
        municipality=procedure.municipality, staff=user, department=procedure.department
    )
    return user


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF of blank A4 pages (PDFium writes it), for attachments that get rendered."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
