"""Writes of the good-practice library: a municipality's case and its effects, the review by the
prefecture's DX team, and adoptions with their results.

Who may call what is the views' guard; the states are checked here: a case is edited only as a
draft, sent for review once it has an effect, published or returned only while in review;
a case is taken up only when published, never by its own municipality.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality

from ..models import (
    Adoption,
    EffectMetric,
    EffectSource,
    PracticeCase,
    PracticeEffect,
    PracticeStatus,
    PracticeTheme,
)
from .measured import measured_figures

CASE_FIELDS = (
    "title", "themes", "background", "summary", "keywords", "started_on", "cost_initial",
    "cost_annual", "cost_note",
)  # fmt: skip


def _draft_only(case: PracticeCase) -> None:
    if case.status != PracticeStatus.DRAFT:
        raise ValidationError(_("変えられるのは下書きの事例だけです。"))


def case_save(
    *,
    municipality: Municipality,
    actor: StaffUser | None,
    case: PracticeCase | None = None,
    example: bool = False,
    **fields: Any,
) -> PracticeCase:
    """Create a draft, or change one (only a draft changes). `example`: a case written for the
    demo from public information, marked as such wherever it is shown."""
    if case is None:
        case = PracticeCase(municipality=municipality, created_by=actor, is_example=example)
    else:
        _draft_only(case)
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(sorted(unknown))
    for name, value in fields.items():
        setattr(case, name, value)
    case.themes = [t for t in PracticeTheme.values if t in set(case.themes)]
    case.full_clean()
    case.save()
    return case


def effect_add(
    *,
    case: PracticeCase,
    label: str,
    value: Decimal,
    unit: str,
    period: str,
    measured_from: date | None = None,
    measured_to: date | None = None,
) -> PracticeEffect:
    """A figure the municipality reports (its own source)."""
    _draft_only(case)
    effect = PracticeEffect(
        case=case,
        label=label,
        value=value,
        unit=unit,
        period=period,
        source=EffectSource.REPORTED,
        measured_from=measured_from,
        measured_to=measured_to,
    )
    effect.full_clean()
    effect.save()
    return effect


def effect_add_measured(*, case: PracticeCase, metric: str, today: date) -> PracticeEffect:
    """A figure straight from Madoguchi's measurement, computed here (never taken from the
    request) and marked as measured, with the window it was measured over."""
    _draft_only(case)
    found = next(
        (
            f
            for f in measured_figures(municipality=case.municipality, today=today)
            if f.metric == metric
        ),
        None,
    )
    if found is None:
        raise ValidationError(_("Madoguchi ではこの数値をまだ計測できていません。"))
    with translation.override("ja"):
        label = str(EffectMetric(metric).label)
    effect = PracticeEffect(
        case=case,
        label=label,
        value=found.value,
        unit=found.unit,
        period=found.period,
        source=EffectSource.MEASURED,
        metric=metric,
        measured_from=found.first,
        measured_to=found.last,
    )
    effect.full_clean()
    effect.save()
    return effect


def effect_remove(*, case: PracticeCase, effect_id: int) -> None:
    _draft_only(case)
    if not case.effects.filter(pk=effect_id).delete()[0]:
        raise ValidationError(_("この効果は見つかりません。"))


def case_submit(*, case: PracticeCase) -> PracticeCase:
    """Send a draft to the prefecture's DX team for review."""
    _draft_only(case)
    if not case.effects.exists():
        raise ValidationError(_("確認を依頼する前に、効果を1つ以上入れてください。"))
    case.status = PracticeStatus.IN_REVIEW
    case.submitted_at = timezone.now()
    case.save(update_fields=["status", "submitted_at", "updated_at"])
    return case


def case_withdraw(*, case: PracticeCase) -> PracticeCase:
    """The municipality takes its case back to a draft (to correct it); others no longer see it."""
    if case.status == PracticeStatus.DRAFT:
        raise ValidationError(_("この事例はもう下書きです。"))
    case.status = PracticeStatus.DRAFT
    case.save(update_fields=["status", "updated_at"])
    return case


def case_review(
    *, case: PracticeCase, actor: StaffUser, publish: bool, is_public: bool, note: str
) -> PracticeCase:
    """The DX team publishes a case in review (to the prefecture; with `is_public` to every
    prefecture) or returns it to the municipality with a comment."""
    if case.status != PracticeStatus.IN_REVIEW:
        raise ValidationError(_("県の確認待ちの事例ではありません。"))
    if not publish and not note.strip():
        raise ValidationError(_("差し戻すときは、直してほしいことを書いてください。"))
    case.status = PracticeStatus.PUBLISHED if publish else PracticeStatus.DRAFT
    case.is_public = publish and is_public
    case.review_note = note.strip()[:500]
    case.reviewed_by = actor
    if publish:
        case.published_at = timezone.now()
    case.save()
    return case


def adoption_start(
    *, case: PracticeCase, municipality: Municipality, actor: StaffUser, today: date
) -> Adoption:
    """「この事例を参考に取り組む」: once per municipality, never its own case."""
    if case.status != PracticeStatus.PUBLISHED:
        raise ValidationError(_("公開中の事例だけを参考にできます。"))
    if case.municipality_id == municipality.pk:
        raise ValidationError(_("自分の自治体の事例です。"))
    try:
        with transaction.atomic():
            return Adoption.objects.create(
                case=case, municipality=municipality, started_on=today, created_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError(_("この事例にはもう取り組んでいます。")) from exc


def adoption_report(
    *,
    adoption: Adoption,
    label: str,
    value: Decimal,
    unit: str,
    period: str,
    on: date,
    note: str = "",
) -> Adoption:
    """The adopter's result: a figure, its unit and period, and the date it stands for."""
    adoption.result_label = label
    adoption.result_value = value
    adoption.result_unit = unit
    adoption.result_period = period
    adoption.result_on = on
    adoption.result_note = note
    if on < adoption.started_on:
        raise ValidationError(_("結果の時点は、取り組みを始めた日より後にしてください。"))
    adoption.full_clean()
    adoption.save()
    return adoption
