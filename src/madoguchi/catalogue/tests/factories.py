"""Catalogue test data: form-builder staff and a published form; a prefecture's shared procedure."""

from __future__ import annotations

import copy
from typing import Any

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.procedures.models import FormVersion
from madoguchi.procedures.tests.factories import simple_definition
from madoguchi.tenancy.models import Municipality, Prefecture
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory


def editor_user(municipality: Municipality, **kwargs: Any) -> StaffUser:
    user: StaffUser = StaffUserFactory(
        municipality=municipality, role=Role.PROCEDURE_EDITOR, **kwargs
    )
    return user


def published_version(**kwargs: Any) -> FormVersion:
    """Version 1 of a published procedure's form (the applications' test definition)."""
    version: FormVersion = FormVersionFactory(without_files=True, **kwargs)
    return version


def shared_data(slug: str = "pref-subsidy", **changes: Any) -> dict[str, Any]:
    """A prefecture's procedure (import format) with a small real form."""
    data: dict[str, Any] = {
        "slug": slug,
        "standard_code": f"shizuoka-{slug}",
        "name": "県の住宅耐震補助の申請",
        "name_en": "Prefectural earthquake retrofit subsidy",
        "category": "housing_moving",
        "summary": "木造住宅の耐震改修の補助金を申請します。",
        "fees": "無料",
        "department": "建築住宅課",
        "online": True,
        "form": simple_definition(),
    }
    data.update(copy.deepcopy(changes))
    return data


def other_prefecture() -> Prefecture:
    return PrefectureFactory(code="130001", name="東京都", name_kana="トウキョウト")


def town_of(prefecture: Prefecture, code: str) -> Municipality:
    return MunicipalityFactory(prefecture=prefecture, code=code)
