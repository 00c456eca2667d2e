"""The one place tenant-owned rows are fetched by identifier.

Like Zulip's access_* functions: scoped by municipality, and the same "not found" whether the row
is missing or belongs to another municipality, so no URL reveals another tenant's data.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.http import Http404

from .models import Municipality, TenantOwned

T = TypeVar("T", bound=TenantOwned)


def access_tenant_object(model: type[T], *, municipality: Municipality, **lookup: Any) -> T:
    try:
        return cast(T, model.objects.for_municipality(municipality).get(**lookup))
    except model.DoesNotExist as exc:
        raise Http404 from exc


MUNICIPALITY_CACHE_SECONDS = 30


def get_active_municipality(code: str) -> Municipality:
    """The active municipality of a resident URL; cached briefly since every request needs it."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        # Not a municipality code at all (NUL bytes, very long text…): never a cache key or
        # a query.
        raise Http404
    key = f"municipality:{code}"
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


def forget_municipality(code: str) -> None:
    cache.delete(f"municipality:{code}")
