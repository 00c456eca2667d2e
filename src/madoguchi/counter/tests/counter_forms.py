"""A form for the counter-mode tests: applicant by role, postal look-up, a file field (which
the counter leaves out: the resident shows the document)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.counter import services
from madoguchi.counter.models import CounterEvent
from madoguchi.procedures.models import FormVersion

COUNTER_DEFINITION: dict[str, Any] = {
    "title": "転入に伴う児童手当（テスト）",
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
                    "key": "postal_code",
                    "type": "postal_code",
                    "label": "郵便番号",
                    "required": True,
                    "fills": "address",
                },
                {
                    "key": "address",
                    "type": "address",
                    "label": "住所",
                    "required": True,
                    "role": "applicant_address",
                },
            ],
        },
        {
            "key": "account",
            "title": "振込先",
            "fields": [
                {"key": "bank_name", "type": "text", "label": "金融機関名", "required": True},
                {
                    "key": "account_document",
                    "type": "file",
                    "label": "通帳の写し",
                    "required": True,
                    "accept": ["pdf", "png", "jpeg"],
                },
            ],
        },
    ],
}

# As the resident's pre-input (or the validation) stores them.
PREFILLED: dict[str, Any] = {
    "name": {
        "family": "雲母坂",
        "given": "紗和子",
        "family_kana": "キララザカ",
        "given_kana": "サワコ",
    },
    "birth_date": "1975-04-01",
    "postal_code": "100-0013",
    "address": {
        "prefecture": "東京都",
        "city": "千代田区",
        "street": "霞が関1-2-3",
        "building": "",
    },
    "bank_name": "窓口信用金庫",
}
# The POSTed inputs of the whole form (step forms by path, "__" between parts).
POSTED: dict[str, str] = {
    "name__family": "雲母坂",
    "name__given": "紗和子",
    "name__family_kana": "キララザカ",
    "name__given_kana": "サワコ",
    "birth_date": "1975-04-01",
    "postal_code": "100-0013",
    "address__prefecture": "東京都",
    "address__city": "千代田区",
    "address__street": "霞が関1-2-3",
    "address__building": "",
    "bank_name": "窓口信用金庫",
}


def counter_form_version(**kwargs: Any) -> FormVersion:
    version: FormVersion = FormVersionFactory(
        **{
            "definition": COUNTER_DEFINITION,
            "procedure__counter_preinput": True,
            "procedure__is_published": True,
            **kwargs,
        }
    )
    return version


def timed_case(version, clerk, source, *, confirm_after, print_after=None):
    """A counter case opened now and confirmed (and printed) the given seconds later."""
    case = services.counter_case_open(
        staff=clerk, procedure=version.procedure, form_version=version, source=source
    )
    start = case.created_at
    services.counter_event_record(
        case=case, kind=CounterEvent.Kind.CONFIRMED, at=start + timedelta(seconds=confirm_after)
    )
    if print_after is not None:
        services.counter_event_record(
            case=case, kind=CounterEvent.Kind.PRINTED, at=start + timedelta(seconds=print_after)
        )
    return case
