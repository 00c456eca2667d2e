"""Every /staff/ URL (the admin included) is closed to a session short of its second factor.

The guard (accounts/guard.py) checks the same on each staff view; this catches what no view
decorator reaches (the Django admin, a view someone forgot to guard).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from .second_factor import FactorState, factor_state

# What a session may reach before its second factor: the doors and the way out.
OPEN_BEFORE_VERIFY = frozenset({"accounts:login", "accounts:logout", "accounts:verify"})
OPEN_BEFORE_ENROL = frozenset({"accounts:login", "accounts:logout", "accounts:totp_setup"})


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.prefix = ""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if not self.prefix:
            self.prefix = reverse("accounts:home")
        if not request.path_info.startswith(self.prefix) or not request.user.is_authenticated:
            return None
        state = factor_state(request)
        name = request.resolver_match.view_name if request.resolver_match else ""
        if state is FactorState.VERIFY and name not in OPEN_BEFORE_VERIFY:
            return redirect_to_login(request.get_full_path(), "accounts:verify")
        if state is FactorState.ENROL and name not in OPEN_BEFORE_ENROL:
            return redirect("accounts:totp_setup")
        return None
