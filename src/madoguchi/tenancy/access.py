"""The one place tenant-owned rows are fetched by identifier, and the Scope they are read in.

Like Zulip's access_* functions: scoped by municipality, and the same "not found" whether the row
is missing or belongs to another municipality, so no URL reveals another tenant's data.

A `Scope` is the set of municipalities a reader may see: one municipality (its staff, its
resident pages) or a prefecture's municipalities (the prefecture console, aggregates only).
`Scope.filter(queryset)` works for every tenant-owned model, whether it carries `municipality`
itself or reaches it through a parent (a form version through its procedure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from .models import Municipality, Prefecture
from .municipality_cache import MUNICIPALITY_CACHE_SECONDS, cache_key, forget_municipality

__all__ = [
    "Scope",
    "access_tenant_object",
    "forget_municipality",
    "get_active_municipality",
    "offered_to",
]

M = TypeVar("M", bound=models.Model)
Q = TypeVar("Q", bound=models.QuerySet[Any])


_PATHS: dict[type[models.Model], str | None] = {}


def municipality_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its owning municipality ("municipality",
    "procedure__municipality", …), or None when the model is not tenant-owned.

    A model is tenant-owned when it has a foreign key named `municipality` to Municipality, or a
    required foreign key to a tenant-owned parent (breadth first, so the shortest path wins).
    """
    if model not in _PATHS:
        _PATHS[model] = _find_municipality_path(model)
    return _PATHS[model]


def _find_municipality_path(model: type[models.Model]) -> str | None:
    if model is Municipality:
        return ""
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    seen = {model}
    while frontier:
        next_frontier: list[tuple[type[models.Model], str]] = []
        for current, prefix in frontier:
            foreign_keys = [
                field
                for field in current._meta.get_fields()
                if field.many_to_one and field.concrete and field.related_model is not None
            ]
            for field in foreign_keys:
                if field.name == "municipality" and field.related_model is Municipality:
                    return f"{prefix}municipality"
            for field in foreign_keys:
                parent = cast(type[models.Model], field.related_model)
                if parent in seen or getattr(field, "null", False):
                    continue
                seen.add(parent)
                next_frontier.append((parent, f"{prefix}{field.name}__"))
        frontier = next_frontier
    return None


class StaffMember(Protocol):
    """What a Scope needs of a staff user (tenancy sits below accounts)."""

    municipality_id: int | None
    prefecture_id: int | None


@dataclass(frozen=True)
class Scope:
    """One municipality, a prefecture's municipalities, or nothing (fails closed)."""

    municipality_id: int | None = None
    prefecture_id: int | None = None

    def __post_init__(self) -> None:
        if self.municipality_id is not None and self.prefecture_id is not None:
            raise ValueError("A scope is one municipality or one prefecture, not both.")

    @classmethod
    def of_municipality(cls, municipality: Municipality) -> Scope:
        return cls(municipality_id=municipality.pk)

    @classmethod
    def of_prefecture(cls, prefecture: Prefecture) -> Scope:
        return cls(prefecture_id=prefecture.pk)

    @classmethod
    def of_staff(cls, user: StaffMember) -> Scope:
        """A municipality's staff see their municipality; a prefecture's staff its
        municipalities; anyone else (an operator without a tenant) sees nothing here."""
        if user.municipality_id is not None:
            return cls(municipality_id=user.municipality_id)
        if user.prefecture_id is not None:
            return cls(prefecture_id=user.prefecture_id)
        return cls()

    @property
    def is_empty(self) -> bool:
        return self.municipality_id is None and self.prefecture_id is None

    @property
    def is_prefecture(self) -> bool:
        return self.prefecture_id is not None

    def filter(self, queryset: Q) -> Q:
        """The rows of `queryset` inside this scope; raises TypeError for a model that is not
        tenant-owned, so a scope is never silently ignored."""
        path = municipality_path(queryset.model)
        if path is None:
            raise TypeError(f"{queryset.model.__name__} is not tenant-owned.")
        if self.municipality_id is not None:
            return cast(Q, queryset.filter(**{path or "pk": self.municipality_id}))
        if self.prefecture_id is not None:
            lookup = f"{path}__prefecture" if path else "prefecture"
            return cast(Q, queryset.filter(**{lookup: self.prefecture_id}))
        return cast(Q, queryset.none())

    def municipalities(self) -> models.QuerySet[Municipality]:
        return self.filter(Municipality.objects.select_related("prefecture"))

    def includes(self, municipality: Municipality) -> bool:
        if self.municipality_id is not None:
            return municipality.pk == self.municipality_id
        return self.prefecture_id is not None and municipality.prefecture_id == self.prefecture_id


def offered_to(municipality: Municipality, *, field: str = "prefecture") -> models.Q:
    """What the nation (no prefecture) or the municipality's own prefecture offers it: the rows
    of a shared catalogue (FAQ sets, shared procedures) a municipality may see and adopt."""
    return models.Q(**{f"{field}__isnull": True}) | models.Q(
        **{f"{field}_id": municipality.prefecture_id}
    )


def access_tenant_object(
    model: type[M],
    *,
    municipality: Municipality | None = None,
    scope: Scope | None = None,
    **lookup: Any,
) -> M:
    """The one row of `model` matching `lookup` inside the municipality (or scope), else 404."""
    if (municipality is None) == (scope is None):
        raise TypeError("Pass exactly one of municipality= or scope=.")
    if scope is None:
        scope = Scope.of_municipality(cast(Municipality, municipality))
    try:
        return scope.filter(model._default_manager.all()).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def get_active_municipality(code: str) -> Municipality:
    """The active municipality of a resident URL; cached briefly since every request needs it."""
    # Six ASCII digits or nothing: any other text is not found, and never reaches a cache key
    # (memcached and Redis refuse keys with spaces or control characters).
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        raise Http404
    key = cache_key(code)
    municipality = cache.get(key)
    if municipality is None:
        try:
            municipality = Municipality.objects.select_related("prefecture").get(
                code=code, is_active=True
            )
        except Municipality.DoesNotExist as exc:
            raise Http404 from exc
        cache.set(key, municipality, MUNICIPALITY_CACHE_SECONDS)
    return cast(Municipality, municipality)
