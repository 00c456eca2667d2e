"""The Django admin behind the same door as every staff page.

Its own login form (password only) is replaced by the staff login, which asks for the second
factor; the middleware keeps unverified sessions out of every admin URL; a signed-in user the
admin does not admit gets 403 instead of a second login form.
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
            return inner(request, *args, **kwargs)  # type: ignore[no-any-return]

        return guarded
