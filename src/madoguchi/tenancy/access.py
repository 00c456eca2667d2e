"""The one place tenant-owned rows are fetched by identifier.

Like Zulip's access_* functions: scoped by municipality, and the same "not found" whether the row
is missing or belongs to another municipality, so no URL reveals another tenant's data.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.http import Http404

from .models import Municipality, TenantOwned

T = TypeVar("T", bound=TenantOwned)


def access_tenant_object(model: type[T], *, municipality: Municipality, **lookup: Any) -> T:
    try:
        return cast(T, model.objects.for_municipality(municipality).get(**lookup))
    except model.DoesNotExist as exc:
        raise Http404 from exc


def get_active_municipality(code: str) -> Municipality:
    try:
        return Municipality.objects.select_related("prefecture").get(code=code, is_active=True)
    except Municipality.DoesNotExist as exc:
        raise Http404 from exc
