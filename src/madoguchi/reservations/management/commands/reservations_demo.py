"""Windows, services and booking rules for a municipality's counter hall (demo and benchmarks).

    madoguchi reservations_demo 229997                 the demo hall (4 services, 6 windows)
    madoguchi reservations_demo 229997 --windows 10 --services 5
    madoguchi reservations_demo 131016 --create --windows 3 --walk-in-percent 0 \
        --staff counter1:secret-password

Safe to run again: rows are matched by series letter and window label.
"""

from __future__ import annotations

import random
from datetime import time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.core.municipality_code import prefecture_of, validate_municipality_code
from madoguchi.procedures.models import Category, Procedure
from madoguchi.reservations.models import (
    CalendarException,
    ReservationPolicy,
    Service,
    Window,
)
from madoguchi.reservations.selectors import service_slots
from madoguchi.reservations.services import ReservationError, booking_create
from madoguchi.tenancy.models import Municipality, OpeningHours, Prefecture

DEMO_SERVICES = [
    # series, name, English, minutes, procedure categories
    ("A", "住民票・証明書", "Certificates", 8, [Category.FAMILY_REGISTER, Category.TAX]),
    ("B", "転入・転出・引っ越し", "Moving in / out", 20, [Category.HOUSING_MOVING]),
    (
        "C",
        "子育て・福祉",
        "Childcare and welfare",
        25,
        [Category.CHILDCARE, Category.HEALTH_WELFARE],
    ),
    (
        "D",
        "介護・その他",
        "Long-term care and others",
        25,
        [Category.LONG_TERM_CARE, Category.OTHER],
    ),
    ("E", "税・証明（税務課）", "Tax", 15, []),
]
# One-line descriptions residents read on the booking page (Japanese, English).
DEMO_SERVICE_DESCRIPTIONS = {
    "A": (
        "住民票の写し、印鑑登録証明書、戸籍の証明書など",
        "Copies of the residence certificate, seal registration and family register certificates",
    ),
    "B": (
        "転入届・転出届・転居届と、あわせて必要な手続",
        "Notifications of moving in, moving out or changing address, and related procedures",
    ),
    "C": (
        "児童手当、保育所の入所、ひとり親家庭の手当などの相談と申請",
        "Child Allowance, nursery places, allowances for single-parent families",
    ),
    "D": (
        "介護保険の認定の申請と、そのほかの手続",
        "Long-term care certification and other procedures",
    ),
    "E": (
        "住民税の証明書、納税の相談",
        "Resident tax certificates and advice on paying taxes",
    ),
}
# A closed weekday the demo calendar shows, with its note in both languages.
DEMO_CLOSED_DAY_NOTE = (
    "庁舎の電気設備点検のため閉庁します",
    "Closed for the inspection of the building's electrical equipment",
)
# Which demo services each demo window handles.
DEMO_WINDOWS = [("1", "AB"), ("2", "A"), ("3", "AB"), ("4", "B"), ("5", "CD"), ("6", "CD")]


class Command(BaseCommand):
    help = "自治体の窓口・業務・予約の設定を作ります（デモ・ベンチマーク用、再実行可）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="全国地方公共団体コード（6桁）")
        parser.add_argument("--create", action="store_true", help="自治体がなければ作る")
        parser.add_argument("--windows", type=int, help="窓口の数（指定すると均等に割り当て）")
        parser.add_argument("--services", type=int, default=4, help="業務の数（1〜5）")
        parser.add_argument("--walk-in-percent", type=int, default=None)
        parser.add_argument("--lead-minutes", type=int, default=None)
        parser.add_argument("--staff", help="窓口担当の職員を作る: USERNAME:PASSWORD")
        parser.add_argument(
            "--sample-bookings", type=int, default=0, help="今後の空き枠に見本の予約を入れる数"
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        code = validate_municipality_code(options["code"])
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            if not options["create"]:
                raise CommandError(f"municipality {code} not found (use --create)")
            municipality = _create_municipality(code)
        policy, _ = ReservationPolicy.objects.get_or_create(municipality=municipality)
        if options["walk_in_percent"] is not None:
            policy.walk_in_share_percent = options["walk_in_percent"]
        if options["lead_minutes"] is not None:
            policy.booking_lead_minutes = options["lead_minutes"]
        policy.full_clean()
        policy.save()
        count = max(1, min(options["services"], len(DEMO_SERVICES)))
        services = {}
        for order, (series, name, name_en, minutes, categories) in enumerate(DEMO_SERVICES[:count]):
            service, _ = Service.objects.update_or_create(
                municipality=municipality,
                series=series,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "description": DEMO_SERVICE_DESCRIPTIONS[series][0],
                    "description_en": DEMO_SERVICE_DESCRIPTIONS[series][1],
                    "standard_minutes": minutes,
                    "sort_order": order,
                },
            )
            if categories:
                service.procedures.set(
                    Procedure.objects.for_municipality(municipality).filter(
                        category__in=categories, booking=True
                    )
                )
            services[series] = service
        if options["windows"]:
            letters = list(services)
            layout = [
                (str(i + 1), letters[0] + letters[i % len(letters)])
                for i in range(options["windows"])
            ]
        else:
            layout = [
                (label, "".join(s for s in series if s in services))
                for label, series in DEMO_WINDOWS
            ]
        for order, (label, series) in enumerate(layout):
            window, _ = Window.objects.update_or_create(
                municipality=municipality,
                label=label,
                defaults={
                    "name": f"{label}番窓口",
                    "name_en": f"Counter {label}",
                    "sort_order": order,
                },
            )
            window.services.set([services[s] for s in dict.fromkeys(series) if s in services])
        _demo_closed_day(municipality)
        if options["staff"]:
            username, _, password = options["staff"].partition(":")
            user, _ = StaffUser.objects.get_or_create(
                username=username,
                defaults={"municipality": municipality, "role": Role.COUNTER, "last_name": "窓口"},
            )
            user.set_password(password)
            user.save()
        booked = _sample_bookings(municipality, options["sample_bookings"])
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"reservations: {municipality.code} sample_bookings={booked} services={len(services)} windows={len(layout)} "
                f"kiosk=/{municipality.code}/reserve/kiosk/{policy.kiosk_key}/"
            )


def _demo_closed_day(municipality: Municipality) -> None:
    """A weekday closed for maintenance about three weeks ahead (once: re-runs keep it)."""
    note, note_en = DEMO_CLOSED_DAY_NOTE
    exceptions = CalendarException.objects.for_municipality(municipality)
    if exceptions.filter(note=note, date__gte=timezone.localdate()).exists():
        return
    day = timezone.localdate() + timedelta(days=20)
    while day.weekday() != 2:  # a Wednesday, so it is a day the hall would be open
        day += timedelta(days=1)
    if not exceptions.filter(date=day).exists():
        CalendarException.objects.create(
            municipality=municipality, date=day, closed=True, note=note, note_en=note_en
        )


def _sample_bookings(municipality: Municipality, count: int) -> int:
    """Fictional bookings on random free slots of the coming weeks (seeded: same every run)."""
    if count <= 0:
        return 0
    rng = random.Random(municipality.code)
    candidates = [
        (service, slot.start)
        for service in Service.objects.for_municipality(municipality).filter(bookable=True)
        for day in service_slots(service=service, first=timezone.localdate(), days=31)
        for slot in day.slots
    ]
    booked = 0
    for n in range(count * 3):
        if booked >= count or not candidates:
            break
        service, start = rng.choice(candidates)
        try:
            booking_create(
                municipality=municipality,
                service=service,
                start=start,
                name="見本 予約",
                phone=f"090-0000-{n:04d}",
                submission_token=f"sample-{municipality.code}-{n}-{start:%Y%m%d%H%M}",
            )
        except ReservationError:
            continue
        booked += 1
    return booked


def _create_municipality(code: str) -> Municipality:
    pref = prefecture_of(code)
    prefecture, _ = Prefecture.objects.get_or_create(
        code=pref.municipality_code, defaults={"name": pref.name, "name_kana": pref.kana}
    )
    municipality = Municipality.objects.create(
        code=code, prefecture=prefecture, name="予約テスト市", address="（ベンチマーク用）"
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            municipality=municipality, weekday=weekday, opens=time(8, 30), closes=time(17, 15)
        )
    return municipality
