"""Factories for shared procedures: a prefecture's procedure in the import format."""

from __future__ import annotations

import copy
from typing import Any

from madoguchi.procedures.tests.factories import simple_definition
from madoguchi.tenancy.models import Municipality, Prefecture
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory


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
