"""The one staff-access guard: every staff view of every app is wrapped by `staff_required`.

    @staff_required("applications.view_application", personal_data=True)
    def detail(request, pk): ...

It lets through only a signed-in staff member of a municipality (prefecture users where a view
says so), whose session has passed the second factor where one is needed, and whose role holds
the permissions (accounts/permissions.py). A view that shows personal data is written to the
audit record (core.audit) with the page and, for a list, the search that was run; the view may
name the object (`audit_object`) or the search (`audit_search`). Every answer is no-store.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import get_resolver
from django.utils.cache import add_never_cache_headers

from madoguchi.core import ratelimit
from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction

from .models import StaffUser
from .second_factor import FactorState, factor_state

V = TypeVar("V", bound=Callable[..., HttpResponseBase])

# Query parameters that only page or sort a list: not part of "which search was run".
NOT_SEARCH = frozenset({"page"})
SEARCH_VALUE_MAX = 200


class Tenant(enum.Enum):
    MUNICIPALITY = "municipality"  # a staff member of one municipality
    PREFECTURE = "prefecture"  # a prefecture user (aggregates; the region views)
    ANY = "any"  # any signed-in staff member (the staff menu, their own 2FA)


@dataclass(frozen=True)
class GuardSpec:
    """What a guarded view requires; kept on the view so tests can read the rule they check."""

    permissions: tuple[str, ...]
    personal_data: bool
    list_view: bool
    tenant: Tenant
    enrolment: bool = False  # reachable before a required authenticator is set up

    def allows(self, user: StaffUser) -> bool:
        if not user.is_active:
            return False
        if self.tenant is Tenant.MUNICIPALITY and user.municipality_id is None:
            return False
        if self.tenant is Tenant.PREFECTURE and user.prefecture_id is None:
            return False
        return all(user.has_perm(p) for p in self.permissions)


@dataclass
class AuditNote:
    """What the guard writes to the audit record after a personal-data view answered."""

    action: str
    obj: Model | None = None
    object_type: str = ""
    object_id: str = ""
    count: int = 1
    search: dict[str, Any] | None = None
    skip: bool = False


# Every POST behind the guard (and the staff admin, admin_site.py) counts here, per staff member
# (core/ratelimit.py RULES).
STAFF_WRITES = "staff.writes.user"


def staff_write_allowed(request: HttpRequest) -> bool:
    """False when this signed-in staff member's POST is over the staff-writes limit."""
    return request.method != "POST" or ratelimit.hit(STAFF_WRITES, f"staff-{request.user.pk}")


def staff_required(
    *permissions: str,
    personal_data: bool,
    list_view: bool = False,
    tenant: Tenant = Tenant.MUNICIPALITY,
    enrolment: bool = False,
) -> Callable[[V], V]:
    spec = GuardSpec(tuple(permissions), personal_data, list_view, tenant, enrolment)

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            state = factor_state(request)
            if state is FactorState.VERIFY:
                return redirect_to_login(request.get_full_path(), "accounts:verify")
            if state is FactorState.ENROL and not spec.enrolment:
                return redirect("accounts:totp_setup")
            if not isinstance(user, StaffUser) or not spec.allows(user):
                return _error(request, 403, PermissionDenied())
            if not staff_write_allowed(request):
                return ratelimit.too_many(request)
            if spec.personal_data:
                request.staff_audit = AuditNote(  # type: ignore[attr-defined]
                    action=AuditAction.LIST if spec.list_view else AuditAction.VIEW
                )
            try:
                response = view(request, *args, **kwargs)
            except Http404 as exc:
                return _error(request, 404, exc)
            except PermissionDenied as exc:
                return _error(request, 403, exc)
            if spec.personal_data and not 300 <= response.status_code < 400:
                _record(request, user, kwargs)
            add_never_cache_headers(response)
            return response

        wrapped.staff_guard = spec  # type: ignore[attr-defined]
        wrapped.rate_limits = (STAFF_WRITES,)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def _error(request: HttpRequest, status: int, exc: Exception) -> HttpResponseBase:
    """The project's 403/404 page, no-store like every answer of a staff view."""
    handler: Any = get_resolver().resolve_error_handler(status)
    response: HttpResponseBase = handler(request, exception=exc)
    add_never_cache_headers(response)
    return response


def _note(request: HttpRequest) -> AuditNote:
    note: AuditNote | None = getattr(request, "staff_audit", None)
    if note is None:
        raise RuntimeError("audit_* is for views guarded with staff_required(personal_data=True)")
    return note


def audit_object(
    request: HttpRequest,
    obj: Model | None = None,
    *,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    count: int = 1,
) -> None:
    """Name what the page showed (default: the page's URL name and its path parameters)."""
    note = _note(request)
    note.obj, note.object_type, note.object_id, note.count = obj, object_type, object_id, count
    note.action = action or note.action


def audit_search(request: HttpRequest, search: Mapping[str, Any], *, count: int = 0) -> None:
    """Name the search a list ran (default: the page's query string) and how many rows it showed."""
    note = _note(request)
    note.search = _clean_search(search)
    note.count = count


def audit_skip(request: HttpRequest) -> None:
    """This answer showed no personal data (e.g. a form sent back empty)."""
    _note(request).skip = True


def _clean_search(search: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in search.items():
        if key in NOT_SEARCH or value in (None, "", [], ()):
            continue
        cleaned[str(key)[:50]] = str(value)[:SEARCH_VALUE_MAX]
    return cleaned


def _record(request: HttpRequest, user: StaffUser, kwargs: Mapping[str, Any]) -> None:
    note = _note(request)
    if note.skip:
        return
    match = request.resolver_match
    view_name = match.view_name if match is not None else request.path[:100]
    object_type, object_id = note.object_type, note.object_id
    if note.obj is None and not object_type:
        object_type = view_name[:64]
        object_id = ",".join(f"{k}={v}" for k, v in sorted(kwargs.items()))[:64]
    search = note.search
    if search is None and note.action == AuditAction.LIST:
        search = _clean_search({k: ", ".join(request.GET.getlist(k)) for k in request.GET})
    audit_record(
        actor=user,
        action=note.action,
        municipality=user.municipality,
        obj=note.obj,
        object_type=object_type,
        object_id=object_id,
        count=note.count,
        view=view_name,
        search=search,
    )
