"""The demo municipality: a fictional town with the standard procedure library and staff."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from madoguchi.accounts.models import Role, StaffDepartment, StaffUser
from madoguchi.core.municipality_code import prefecture_of, with_check_digit
from madoguchi.procedures.services import library_install, life_events_install
from madoguchi.tenancy.demo_data import trust_pages_fill
from madoguchi.tenancy.models import Municipality, OpeningHours, Prefecture

DEMO_CODE = with_check_digit("22999")  # fictional: 静岡県 + an unused number → 229997
DEMO_PASSWORD = "madoguchi-demo"  # noqa: S105 — printed in the README; demo only
DEMO_CONTACT = {
    "department": "市民課",
    "department_en": "Citizens Division",
    "address": "静岡県窓口市本町1-1（デモ用の架空の自治体です）",
    "address_en": "1-1 Honmachi, Madoguchi City, Shizuoka (a fictional municipality for the demo)",
    "opening_note": "土日・祝日・年末年始（12月29日〜1月3日）は閉庁",
    "opening_note_en": "Closed on Saturdays, Sundays, national holidays and 29 December to 3 January",
}
DEMO_BACK_OFFICE_DEPARTMENTS = ["市民課", "子育て支援課", "保育課"]
DEMO_STAFF = [
    ("demo-admin", "管理者", Role.MUNICIPALITY_ADMIN, True),
    ("demo-manager", "課長", Role.MANAGER, False),
    ("demo-backoffice", "処理担当", Role.BACK_OFFICE, False),
    ("demo-counter", "窓口担当", Role.COUNTER, False),
]


@transaction.atomic
def demo_load() -> Municipality:
    """Create (or refresh) the demo municipality; safe to run again."""
    pref = prefecture_of(DEMO_CODE)
    prefecture, _ = Prefecture.objects.get_or_create(
        code=pref.municipality_code, defaults={"name": pref.name, "name_kana": pref.kana}
    )
    municipality, created = Municipality.objects.get_or_create(
        code=DEMO_CODE,
        defaults={
            "prefecture": prefecture,
            "name": "窓口市",
            "name_kana": "マドグチシ",
            "name_en": "Madoguchi City (demo)",
            "phone": "0559-00-0000",
            "population": 48000,
        },
    )
    # The contact texts in Japanese and English (set on every run, so older demos get them).
    for field, value in DEMO_CONTACT.items():
        setattr(municipality, field, value)
    municipality.save(update_fields=list(DEMO_CONTACT))
    if created:
        for weekday in range(5):
            OpeningHours.objects.create(
                municipality=municipality, weekday=weekday, opens=time(8, 30), closes=time(17, 15)
            )
    library_install(municipality=municipality, publish=True)
    trust_pages_fill(municipality=municipality)
    life_events_install(municipality=municipality)
    for username, title, role, is_staff in DEMO_STAFF:
        user, made = StaffUser.objects.get_or_create(
            username=username,
            defaults={
                "last_name": "デモ",
                "first_name": title,
                "municipality": municipality,
                "role": role,
                "is_staff": is_staff,
            },
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role == Role.BACK_OFFICE:
            # 処理担当 see the procedures of their departments (担当課) only.
            for department in DEMO_BACK_OFFICE_DEPARTMENTS:
                StaffDepartment.objects.get_or_create(
                    municipality=municipality, staff=user, department=department
                )
    return municipality
