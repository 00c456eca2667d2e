"""Reads: what a municipality is offered and has adopted, pending updates and their changes,
and the prefecture's view of its shared procedures (counts of adopters, no tenant data)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery

from madoguchi.catalogue.models import ProcedureAdoption, SharedProcedure, SharedProcedureVersion
from madoguchi.tenancy.access import access_tenant_object, offered_to
from madoguchi.tenancy.models import Municipality, Prefecture

from .diff import OVERRIDABLE, Change, version_changes


def _with_latest(qs: QuerySet[SharedProcedure]) -> QuerySet[SharedProcedure]:
    return qs.annotate(latest_number=Max("versions__number")).filter(latest_number__isnull=False)


def offered_shared_procedures(*, municipality: Municipality) -> QuerySet[SharedProcedure]:
    """Active shared procedures of the nation and of the municipality's prefecture."""
    return _with_latest(
        SharedProcedure.objects.filter(is_active=True)
        .filter(offered_to(municipality))
        .select_related("prefecture")
    ).order_by("prefecture_id", "name")


def offered_shared_procedure_get(*, municipality: Municipality, pk: int) -> SharedProcedure | None:
    return offered_shared_procedures(municipality=municipality).filter(pk=pk).first()


@dataclass(frozen=True)
class AdoptionRow:
    adoption: ProcedureAdoption
    latest_number: int

    @property
    def pending(self) -> bool:
        return self.latest_number > self.adoption.version.number


def adoptions(*, municipality: Municipality) -> list[AdoptionRow]:
    """The municipality's adoptions, each with the newest published version number."""
    latest = (
        SharedProcedureVersion.objects.filter(shared=OuterRef("shared"))
        .order_by("-number")
        .values("number")[:1]
    )
    qs = (
        ProcedureAdoption.objects.for_municipality(municipality)
        .select_related("shared", "shared__prefecture", "version", "procedure")
        .annotate(latest_number=Subquery(latest))
        .order_by("shared__name")
    )
    return [AdoptionRow(a, a.latest_number or a.version.number) for a in qs]  # type: ignore[attr-defined]


def pending_updates(*, municipality: Municipality) -> list[AdoptionRow]:
    return [row for row in adoptions(municipality=municipality) if row.pending]


def adoption_get(*, municipality: Municipality, pk: int) -> ProcedureAdoption:
    """One adoption of the municipality; 404 for another's, as for a missing one."""
    return access_tenant_object(ProcedureAdoption, municipality=municipality, pk=pk)


def adopted_shared_ids(*, municipality: Municipality) -> dict[int, int]:
    """shared procedure id → adoption id."""
    return dict(
        ProcedureAdoption.objects.for_municipality(municipality).values_list("shared_id", "pk")
    )


def overridden_attributes(adoption: ProcedureAdoption) -> frozenset[str]:
    return frozenset(key for key in OVERRIDABLE if getattr(adoption, key))


def adoption_pending_changes(*, adoption: ProcedureAdoption) -> list[Change]:
    """What changed upstream since the taken version (empty when up to date)."""
    latest = adoption.shared.latest_version
    if latest is None or latest.number <= adoption.version.number:
        return []
    return version_changes(
        adoption.version.data, latest.data, overridden=overridden_attributes(adoption)
    )


# --- The publisher's side ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedRow:
    shared: SharedProcedure
    latest_number: int
    adopters: int
    up_to_date: int


def prefecture_shared_procedures(*, prefecture: Prefecture) -> list[PublishedRow]:
    """The prefecture's shared procedures: how many municipalities adopted each, and how many
    took the latest version (counts only: which town does what is the town's business)."""
    qs = _with_latest(SharedProcedure.objects.filter(prefecture=prefecture)).annotate(
        adopters=Count("adoptions", distinct=True)
    )
    rows = []
    for shared in qs.order_by("name"):
        latest = shared.latest_number  # type: ignore[attr-defined]
        current = ProcedureAdoption.objects.filter(shared=shared, version__number=latest).count()
        rows.append(PublishedRow(shared, latest, shared.adopters, current))  # type: ignore[attr-defined]
    return rows


def prefecture_shared_procedure_get(*, prefecture: Prefecture, pk: int) -> SharedProcedure | None:
    return SharedProcedure.objects.filter(prefecture=prefecture, pk=pk).first()


def version_history(
    *, shared: SharedProcedure
) -> list[tuple[SharedProcedureVersion, list[Change]]]:
    """Every version, newest first, each with its changes from the one before."""
    versions = list(shared.versions.order_by("number"))
    out = []
    previous = None
    for version in versions:
        changes: list[Change] = (
            version_changes(previous.data, version.data) if previous is not None else []
        )
        out.append((version, changes))
        previous = version
    return list(reversed(out))


def national_count() -> int:
    return SharedProcedure.objects.filter(prefecture__isnull=True, is_active=True).count()


__all__ = [
    "AdoptionRow",
    "PublishedRow",
    "adopted_shared_ids",
    "adoption_get",
    "adoption_pending_changes",
    "adoptions",
    "national_count",
    "offered_shared_procedure_get",
    "offered_shared_procedures",
    "overridden_attributes",
    "pending_updates",
    "prefecture_shared_procedure_get",
    "prefecture_shared_procedures",
    "version_history",
]
