"""Writes of the prefecture console: joint systems and their participants, Madoguchi's own
entry, cost-sharing agreements and their members — every agreement change recorded with the
whole agreement after it (AgreementChange.snapshot is an AGREEMENT.json)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality, Prefecture

from . import cost_sharing
from .models import (
    Agreement,
    AgreementChange,
    AgreementMember,
    Domain,
    JointSystem,
    Participation,
    SystemType,
    UsageSource,
)
from .selectors import agreement_measured_usage, agreement_members, to_calculation

MADOGUCHI_NAME = "Madoguchi（オンライン窓口・予約・FAQ）"


@dataclass(frozen=True)
class ParticipantInput:
    municipality: Municipality
    population: int
    staff_covered: int


def _same_prefecture(prefecture: Prefecture, municipalities: Iterable[Municipality]) -> None:
    scope = Scope.of_prefecture(prefecture)
    outside = [m.code for m in municipalities if not scope.includes(m)]
    if outside:
        raise ValidationError(
            f"{prefecture.name}の団体ではありません：{', '.join(outside)}", code="other_prefecture"
        )


@transaction.atomic
def system_save(
    *,
    prefecture: Prefecture,
    system: JointSystem | None = None,
    participants: list[ParticipantInput] | None = None,
    **fields: Any,
) -> JointSystem:
    """Create or update a joint system (and, when given, replace its participants)."""
    if system is None:
        system = JointSystem(prefecture=prefecture)
    elif system.prefecture_id != prefecture.pk:
        raise ValidationError("別の都道府県のシステムです。", code="other_prefecture")
    for name, value in fields.items():
        setattr(system, name, value)
    system.full_clean()
    system.save()
    if participants is not None:
        participants_set(system=system, participants=participants)
    return system


@transaction.atomic
def participants_set(*, system: JointSystem, participants: list[ParticipantInput]) -> None:
    _same_prefecture(system.prefecture, (p.municipality for p in participants))
    keep = {p.municipality.pk for p in participants}
    system.participants.exclude(municipality_id__in=keep).delete()
    for p in participants:
        row = Participation(
            system=system,
            municipality=p.municipality,
            population=p.population,
            staff_covered=p.staff_covered,
        )
        row.full_clean(validate_unique=False, validate_constraints=False)
        Participation.objects.update_or_create(
            system=system,
            municipality=p.municipality,
            defaults={"population": p.population, "staff_covered": p.staff_covered},
        )


@transaction.atomic
def madoguchi_system_sync(*, prefecture: Prefecture) -> JointSystem:
    """Madoguchi as one of the prefecture's joint systems: its participants are the active
    municipalities of this deployment in the prefecture, with their recorded population (the
    staff covered, entered by the DX team, is kept)."""
    system = JointSystem.objects.filter(prefecture=prefecture, is_madoguchi=True).first()
    if system is None:
        system = JointSystem(
            prefecture=prefecture,
            is_madoguchi=True,
            name=MADOGUCHI_NAME,
            domain=Domain.BUSINESS,
            system_type=SystemType.E_APPLICATION,
            vendor="Madoguchi（オープンソース）",
            spec_shareable=True,
            background="住民のオンライン申請・窓口予約・FAQを、県内の市町村が一つの仕組みで提供する。",
            process="都道府県が一つの環境を運用し、市町村ごとにテナントを設ける。",
        )
        system.full_clean()
        system.save()
    staff = dict(system.participants.values_list("municipality_id", "staff_covered"))
    active = Scope.of_prefecture(prefecture).municipalities().filter(is_active=True)
    participants_set(
        system=system,
        participants=[ParticipantInput(m, m.population or 0, staff.get(m.pk, 0)) for m in active],
    )
    return system


# --- Agreements ---------------------------------------------------------------------------------


def _record(agreement: Agreement, *, actor: Any, summary: str) -> AgreementChange:
    members = agreement_members(agreement=agreement)
    return AgreementChange.objects.create(
        agreement=agreement,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=(actor.get_username() if hasattr(actor, "get_username") else str(actor))[:150],
        summary=summary[:500],
        snapshot=snapshot(agreement, members),
    )


def snapshot(agreement: Agreement, members: list[AgreementMember]) -> dict[str, Any]:
    """The agreement as AGREEMENT.json plus what the calculator does not need (for the record)."""
    data = cost_sharing.agreement_json(to_calculation(agreement, members))
    data["remainder_to"] = agreement.remainder_to.code if agreement.remainder_to else None
    data["name"] = agreement.name
    data["fiscal_year"] = agreement.fiscal_year
    data["population_source"] = agreement.population_source
    data["population_date"] = (
        agreement.population_date.isoformat() if agreement.population_date else None
    )
    data["usage_source"] = agreement.usage_source
    data["usage_window"] = [
        d.isoformat() if d else None for d in (agreement.usage_from, agreement.usage_to)
    ]
    return data


def _check_agreement(agreement: Agreement) -> None:
    agreement.full_clean()
    total = sum(agreement.weights.values(), Decimal(0))
    if total != 1:
        raise ValidationError(
            {
                "weight_equal": f"均等割・人口割・利用割・財政需要割の合計を1にしてください（いまは {total}）。"
            }
        )
    remainder_to, system = agreement.remainder_to, agreement.system
    if remainder_to is not None and remainder_to.prefecture_id != agreement.prefecture_id:
        raise ValidationError({"remainder_to": "この都道府県の団体を選んでください。"})
    if system is not None and system.prefecture_id != agreement.prefecture_id:
        raise ValidationError({"system": "この都道府県のシステムを選んでください。"})


AGREEMENT_FIELDS = (
    "name",
    "system",
    "fiscal_year",
    "total",
    "weight_equal",
    "weight_population",
    "weight_usage",
    "weight_need",
    "population_exponent",
    "rounding_unit",
    "rounding_mode",
    "remainder_to",
    "population_source",
    "population_date",
    "usage_source",
    "usage_from",
    "usage_to",
)


@transaction.atomic
def agreement_save(
    *, prefecture: Prefecture, actor: Any, agreement: Agreement | None = None, **fields: Any
) -> Agreement:
    """Create or change an agreement; the change is recorded with what changed."""
    created = agreement is None
    if agreement is None:
        agreement = Agreement(prefecture=prefecture)
    elif agreement.prefecture_id != prefecture.pk:
        raise ValidationError("別の都道府県の協定です。", code="other_prefecture")
    else:
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    changed = []
    for name, value in fields.items():
        if name not in AGREEMENT_FIELDS:
            raise TypeError(name)
        if getattr(agreement, name) != value:
            changed.append(str(getattr(Agreement._meta.get_field(name), "verbose_name", name)))
        setattr(agreement, name, value)
    _check_agreement(agreement)
    agreement.save()
    if created:
        _record(agreement, actor=actor, summary="協定を作成しました。")
    elif changed:
        _record(agreement, actor=actor, summary="変更：" + "、".join(changed))
    return agreement


@dataclass(frozen=True)
class MemberInput:
    municipality: Municipality
    population: int
    usage: Decimal
    fiscal_need: Decimal


@transaction.atomic
def agreement_members_set(
    *, agreement: Agreement, members: list[MemberInput], actor: Any
) -> list[str]:
    """Replace the members and their figures; records who joined, left and whose figures
    changed. Returns the summary lines (empty when nothing changed)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _same_prefecture(agreement.prefecture, (m.municipality for m in members))
    current = {m.municipality_id: m for m in agreement_members(agreement=agreement)}
    wanted = {m.municipality.pk: m for m in members}
    lines = []
    left = [m for pk, m in current.items() if pk not in wanted]
    for old in left:
        old.delete()
        lines.append(f"脱退：{old.municipality.name}")
    for pk, new in wanted.items():
        row = current.get(pk) or AgreementMember(agreement=agreement, municipality=new.municipality)
        before = (row.population, row.usage, row.fiscal_need) if pk in current else None
        row.population, row.usage, row.fiscal_need = new.population, new.usage, new.fiscal_need
        row.full_clean(validate_unique=False, validate_constraints=False)
        if before is None:
            row.save()
            lines.append(f"加入：{new.municipality.name}")
        elif before != (row.population, row.usage, row.fiscal_need):
            row.save()
            lines.append(f"数値の変更：{new.municipality.name}")
    if lines:
        _record(agreement, actor=actor, summary="、".join(lines))
    return lines


@transaction.atomic
def agreement_usage_fill(*, agreement: Agreement, actor: Any) -> int:
    """Set every member's usage to what Madoguchi measured over the agreement's window.
    Returns how many members changed; ValidationError when the agreement has no window or
    counts entered usage."""
    if agreement.usage_source == UsageSource.ENTERED:
        raise ValidationError("利用量を「入力した値」にしている協定です。", code="entered")
    if agreement.usage_from is None or agreement.usage_to is None:
        raise ValidationError("利用量の集計期間を先に決めてください。", code="no_window")
    measured = agreement_measured_usage(agreement=agreement)
    changed = []
    for member in agreement_members(agreement=agreement):
        usage = measured.get(member.municipality_id)
        value = Decimal(usage.value(agreement.usage_source) if usage else 0)
        if member.usage != value:
            member.usage = value
            member.save(update_fields=["usage"])
            changed.append(member.municipality.name)
    if changed:
        _record(
            agreement,
            actor=actor,
            summary=(
                f"利用量を Madoguchi の実績で更新（{agreement.usage_from}〜{agreement.usage_to}）："
                + "、".join(changed)
            ),
        )
    return len(changed)
