from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.core.municipality_code import with_check_digit
from madoguchi.region import services
from madoguchi.region.liaison import demo as liaison_demo
from madoguchi.region.models import Agreement, Domain, JointSystem, SystemType, UsageSource
from madoguchi.region.practice import demo as practice_demo
from madoguchi.region.survey import demo as survey_demo
from madoguchi.region.talent import demo as talent_demo
from madoguchi.tenancy.models import Municipality

DEMO_PREFECTURE_USER = "demo-prefecture"
# Fictional neighbours of the demo town (unused numbers of the same prefecture).
NEIGHBOURS = [("22998", "予約町", 12_000), ("22997", "相談村", 3_200)]


class Command(BaseCommand):
    help = (
        "デモ用の広域連携（県のDX推進チーム、共同調達、負担金の協定、DX推進状況調査、"
        "DX人材、参考事例集、DX相談窓口）を読み込む（何度実行してもよい）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality_code")
        parser.add_argument("--password", required=True)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            town = Municipality.objects.select_related("prefecture").get(
                code=options["municipality_code"]
            )
        except Municipality.DoesNotExist as exc:
            raise CommandError(
                f"団体コード {options['municipality_code']} の自治体がありません。"
            ) from exc
        prefecture = town.prefecture
        towns = [town]
        for five, name, population in NEIGHBOURS:
            neighbour, _ = Municipality.objects.get_or_create(
                code=with_check_digit(five),
                defaults={"prefecture": prefecture, "name": name, "population": population},
            )
            towns.append(neighbour)
        user, made = StaffUser.objects.get_or_create(
            username=DEMO_PREFECTURE_USER,
            defaults={
                "last_name": "デモ",
                "first_name": "県DX推進",
                "prefecture": prefecture,
                "role": Role.PREFECTURE_DX,
            },
        )
        if made:
            user.set_password(options["password"])
            user.save()
        madoguchi = services.madoguchi_system_sync(prefecture=prefecture)
        if not JointSystem.objects.filter(prefecture=prefecture, is_madoguchi=False).exists():
            services.system_save(
                prefecture=prefecture,
                name="AIチャットボット共同利用",
                domain=Domain.TOOL,
                system_type=SystemType.AI_CHATBOT,
                vendor="（デモ）株式会社サンプル",
                initial_cost=2_000_000,
                annual_cost=3_600_000,
                period_start=dt.date(2026, 4, 1),
                period_end=dt.date(2029, 3, 31),
                spec_shareable=True,
                subsidy="デジタル田園都市国家構想交付金",
                background="問い合わせ対応の負担を減らすため、県と市町村で一つの仕組みを使う。",
                process="県が仕様書を作り、市町村が参加を表明して一括で契約した。",
                is_public=True,
                participants=[services.ParticipantInput(t, t.population or 0, 20) for t in towns],
            )
            services.system_save(
                prefecture=prefecture,
                name="セキュリティクラウド",
                domain=Domain.GENERAL,
                system_type=SystemType.SECURITY_CLOUD,
                vendor="（デモ）株式会社サンプル",
                annual_cost=8_400_000,
                is_public=True,
                participants=[services.ParticipantInput(t, t.population or 0, 0) for t in towns],
            )
            today = timezone.localdate()
            agreement = services.agreement_save(
                prefecture=prefecture,
                actor=user,
                name="Madoguchi 運用費負担金",
                system=madoguchi,
                fiscal_year=today.year if today.month >= 4 else today.year - 1,
                total=6_000_000,
                weight_equal=Decimal("0.1"),
                weight_population=Decimal("0.45"),
                weight_usage=Decimal("0.45"),
                weight_need=Decimal(0),
                population_date=dt.date(today.year, 1, 1),
                usage_source=UsageSource.ALL,
                usage_from=today - dt.timedelta(days=365),
                usage_to=today,
            )
            services.agreement_members_set(
                agreement=agreement,
                members=[
                    services.MemberInput(t, t.population or 0, Decimal(0), Decimal(0))
                    for t in towns
                ],
                actor=user,
            )
            services.agreement_usage_fill(agreement=agreement, actor=user)
        today = timezone.localdate()
        survey_demo.load(
            prefecture=prefecture,
            towns=towns,
            fiscal_year=today.year if today.month >= 4 else today.year - 1,
            actor=user,
        )
        talent_demo.load(prefecture=prefecture, towns=towns, actor=user)
        practice_demo.load(towns=towns, actor=user)
        liaison_demo.desk_load(
            prefecture=prefecture,
            towns=towns,
            dx=user,
            asker=StaffUser.objects.filter(municipality=town, role=Role.MANAGER).first(),
        )
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Prefecture console: /staff/region/ as {DEMO_PREFECTURE_USER} "
                f"({Agreement.objects.filter(prefecture=prefecture).count()} agreement(s))"
            )
