"""Writes of the talent pool: specialists, needs, assignments (with the match as explained at
the time) and visits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.models import Municipality, Prefecture

from ..models import Assignment, AssignmentStatus, Need, NeedStatus, Skill, Specialist, Visit
from .matching import Match


def _skills(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in Skill.values]
    if unknown:
        raise ValidationError(_("分野の指定が正しくありません。"))
    return sorted(set(values))


def specialist_save(
    *,
    prefecture: Prefecture,
    specialist: Specialist | None,
    covers: list[Municipality],
    **fields: Any,
) -> Specialist:
    fields["skills"] = _skills(fields.get("skills", []))
    base = fields.get("base")
    for m in [*covers, *([base] if base else [])]:
        if m.prefecture_id != prefecture.pk:
            raise ValidationError(_("管内の市町村を選んでください。"))
    specialist = specialist or Specialist(prefecture=prefecture)
    for name, value in fields.items():
        setattr(specialist, name, value)
    specialist.full_clean()
    with transaction.atomic():
        specialist.save()
        specialist.covers.set(covers)
    return specialist


def need_create(*, municipality: Municipality, actor: StaffUser | None, **fields: Any) -> Need:
    fields["skills"] = _skills(fields.get("skills", []))
    need = Need(municipality=municipality, created_by=actor, **fields)
    need.full_clean(exclude=["created_by"])  # None for the demo's needs
    need.save()
    return need


def assignment_create(
    *, need: Need, match: Match, specialist: Specialist, starts_on: date, actor: StaffUser
) -> Assignment:
    """Assign a specialist to a need, keeping the score and its explanation as shown."""
    if specialist.prefecture_id != need.municipality.prefecture_id or not specialist.is_active:
        raise ValidationError(_("この人材は選べません。"))
    if need.status == NeedStatus.CLOSED:
        raise ValidationError(_("終了した依頼には派遣できません。"))
    assignment = Assignment(
        need=need,
        specialist=specialist,
        starts_on=starts_on,
        days_per_month=need.days_per_month,
        score=match.score,
        explanation=match.as_json(),
        created_by=actor,
    )
    assignment.full_clean(exclude=["need"])
    try:
        with transaction.atomic():
            assignment.save()
            need.status = NeedStatus.ASSIGNED
            need.save(update_fields=["status"])
    except IntegrityError as exc:
        raise ValidationError(_("この人材はもうこの依頼に派遣されています。")) from exc
    return assignment


def visit_record(
    *,
    assignment: Assignment,
    visited_on: date,
    hours: Decimal,
    topic: str,
    notes: str,
    online: bool,
    actor: StaffUser,
) -> Visit:
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError(_("終了した派遣には記録できません。"))
    visit = Visit(
        assignment=assignment,
        visited_on=visited_on,
        hours=hours,
        topic=topic,
        notes=notes,
        online=online,
        recorded_by=actor,
    )
    visit.full_clean()
    visit.save()
    return visit


def assignment_end(*, assignment: Assignment, ends_on: date, actor: StaffUser) -> Assignment:
    """End an active assignment on `ends_on`, recording who ended it; a need left with no active
    assignment is open again (募集中) until it is closed."""
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError(_("この派遣はもう終了しています。"))
    if ends_on < assignment.starts_on:
        raise ValidationError(_("終了日は開始日より後にしてください。"))
    need = assignment.need
    with transaction.atomic():
        assignment.status, assignment.ends_on, assignment.ended_by = (
            AssignmentStatus.ENDED,
            ends_on,
            actor,
        )
        assignment.save(update_fields=["status", "ends_on", "ended_by"])
        still = need.assignments.filter(status=AssignmentStatus.ACTIVE).exists()
        if need.status == NeedStatus.ASSIGNED and not still:
            need.status = NeedStatus.OPEN
            need.save(update_fields=["status"])
    return assignment


def need_close(*, need: Need, actor: StaffUser, today: date) -> Need:
    """Close a need (終了): its active assignments end today; who closed it and when is kept."""
    if need.status == NeedStatus.CLOSED:
        raise ValidationError(_("この依頼はもう終了しています。"))
    with transaction.atomic():
        for assignment in need.assignments.filter(status=AssignmentStatus.ACTIVE):
            assignment_end(
                assignment=assignment, ends_on=max(today, assignment.starts_on), actor=actor
            )
        need.status, need.closed_at, need.closed_by = NeedStatus.CLOSED, timezone.now(), actor
        need.save(update_fields=["status", "closed_at", "closed_by"])
    return need
