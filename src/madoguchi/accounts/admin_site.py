"""The Django admin behind the same door as every staff page.

Its own login form (password only) is replaced by the staff login, which asks for the second
factor; the middleware keeps unverified sessions out of every admin URL; a signed-in user the
admin does not admit gets 403 instead of a second login form. Its POSTs count against the same
per-staff-member limit as every staff page (`staff_write_allowed`, the staff guard's rule).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from madoguchi.core import ratelimit
from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction

from .guard import STAFF_WRITES, staff_write_allowed
from .second_factor import FactorState, factor_state


class StaffAdminSite(admin.AdminSite):
    site_header = "Madoguchi 管理"
    site_title = "Madoguchi"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and factor_state(request) is FactorState.PASSED

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next") or self.index_url(request))
        if self.has_permission(request):
            return redirect(self.index_url(request))
        raise PermissionDenied

    def index_url(self, request: HttpRequest) -> str:
        return reverse("admin:index", current_app=self.name)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())  # the staff login
            if (
                request.user.is_authenticated
                and factor_state(request) is FactorState.PASSED
                and not self.has_permission(request)
                and request.path != reverse("admin:logout", current_app=self.name)
            ):
                raise PermissionDenied
            if not staff_write_allowed(request):
                return ratelimit.too_many(request)
            return inner(request, *args, **kwargs)  # type: ignore[no-any-return]

        guarded.rate_limits = (STAFF_WRITES,)  # type: ignore[attr-defined]
        return guarded


class PersonalDataAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A model admin whose list and form show residents' personal data: both are audited.

    The list records the search and filters that were run (from its query string), the form
    the object; like the staff guard's audit (accounts/guard.py), never for a redirect.
    """

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if not 300 <= response.status_code < 400:
            cl = (getattr(response, "context_data", None) or {}).get("cl")
            _admin_audit(
                request,
                action=AuditAction.LIST,
                object_type=self.model._meta.label_lower,
                count=len(cl.result_list) if cl is not None else 0,
                search={k: ", ".join(request.GET.getlist(k)) for k in request.GET},
            )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if not 300 <= response.status_code < 400:
            _admin_audit(
                request,
                action=AuditAction.VIEW,
                object_type=self.model._meta.label_lower,
                object_id=str(object_id)[:64],
            )
        return response


def _admin_audit(
    request: HttpRequest,
    *,
    action: str,
    object_type: str,
    object_id: str = "",
    count: int = 1,
    search: dict[str, str] | None = None,
) -> None:
    user: Any = request.user
    match = request.resolver_match
    audit_record(
        actor=user,
        action=action,
        municipality=getattr(user, "municipality", None),
        object_type=object_type,
        object_id=object_id,
        count=count,
        view=match.view_name if match is not None else "",
        search={k[:50]: v[:200] for k, v in (search or {}).items() if v},
    )
