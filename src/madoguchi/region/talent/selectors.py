"""Reads of the talent pool: who sees which specialist, need and assignment, and the ranked
matches of a need (matching.py explains each score).

Specialists are the prefecture's; a need is its municipality's (the prefecture sees its
municipalities' needs). Contact details are read only by `specialist_contact`, which the DX
team's audited page calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Prefecture

from ..models import Assignment, AssignmentStatus, Need, Skill, Specialist, TalentRole, Visit
from .matching import Candidate, Match, Wanted, rank


def labels() -> dict[str, str]:
    """Skill and role labels in the current language (for the match's sentences)."""
    return {value: str(label) for value, label in [*Skill.choices, *TalentRole.choices]}


def specialist_list(*, prefecture: Prefecture) -> QuerySet[Specialist]:
    """The prefecture's specialists without their contact details (deferred, never shown)."""
    return (
        Specialist.objects.filter(prefecture=prefecture)
        .defer("email", "phone")
        .select_related("base")
        .annotate(
            active_assignments=Count(
                "assignments", filter=Q(assignments__status=AssignmentStatus.ACTIVE)
            )
        )
    )


def specialist_get(*, prefecture: Prefecture, pk: int) -> Specialist:
    found = (
        Specialist.objects.filter(prefecture=prefecture, pk=pk)
        .defer("email", "phone")
        .select_related("base")
        .prefetch_related("covers")
        .first()
    )
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str
    affiliation: str


def specialist_contact(*, prefecture: Prefecture, pk: int) -> tuple[Specialist, Contact]:
    """The personal contact details: for the DX team's audited page only."""
    found = Specialist.objects.filter(prefecture=prefecture, pk=pk).first()
    if found is None:
        raise Http404
    return found, Contact(found.name, found.email, found.phone, found.affiliation)


def specialist_assignments(*, specialist: Specialist) -> list[Assignment]:
    return list(
        specialist.assignments.select_related("need__municipality")
        .annotate(visit_count=Count("visits"), visit_hours=Sum("visits__hours"))
        .order_by("-starts_on", "-pk")
    )


def need_list(*, scope: Scope) -> QuerySet[Need]:
    return (
        scope.filter(Need.objects.all())
        .select_related("municipality")
        .annotate(assignment_count=Count("assignments"))
        .order_by("status", "-created_at", "-pk")
    )


def need_get(*, scope: Scope, pk: int) -> Need:
    found = scope.filter(Need.objects.all()).select_related("municipality").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def need_assignments(*, need: Need) -> list[Assignment]:
    return list(
        need.assignments.select_related("specialist")
        .defer("specialist__email", "specialist__phone")
        .prefetch_related(Prefetch("visits", queryset=Visit.objects.order_by("-visited_on", "-pk")))
        .order_by("-starts_on", "-pk")
    )


def assignment_get(*, need: Need, pk: int) -> Assignment:
    found = need.assignments.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _free_days(specialists: list[Specialist]) -> dict[int, int]:
    busy = dict(
        Assignment.objects.filter(specialist__in=specialists, status=AssignmentStatus.ACTIVE)
        .values("specialist_id")
        .annotate(days=Sum("days_per_month"))
        .values_list("specialist_id", "days")
    )
    return {s.pk: s.days_per_month - (busy.get(s.pk) or 0) for s in specialists}


def candidates(*, prefecture: Prefecture) -> list[Candidate]:
    specialists = list(
        Specialist.objects.filter(prefecture=prefecture, is_active=True)
        .defer("email", "phone")
        .prefetch_related("covers")
    )
    free = _free_days(specialists)
    return [
        Candidate(
            id=s.pk,
            name=s.name,
            role=s.role,
            skills=frozenset(s.skills),
            base_id=s.base_id,
            covers=frozenset(m.pk for m in s.covers.all()),
            remote_ok=s.remote_ok,
            free_days=free[s.pk],
            available_from=s.available_from,
        )
        for s in specialists
    ]


def wanted(need: Need) -> Wanted:
    return Wanted(
        role=need.role,
        skills=frozenset(need.skills),
        municipality_id=need.municipality_id,
        days=need.days_per_month,
        remote_ok=need.remote_ok,
        starts_on=need.starts_on,
    )


def matches(*, need: Need) -> list[Match]:
    """Every active specialist of the need's prefecture, best match first, each explained."""
    pool = candidates(prefecture=need.municipality.prefecture)
    return rank(wanted(need), pool, labels())
