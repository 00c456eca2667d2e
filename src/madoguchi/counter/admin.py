"""The municipality administrator chooses the pre-input mode in the admin (docs/preinput.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from madoguchi.tenancy.admin import TenantScopedAdmin

from .models import PreInputSetting


@admin.register(PreInputSetting)
class PreInputSettingAdmin(TenantScopedAdmin):
    list_display = ["municipality", "mode", "lifetime_days"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # One row per municipality (a unique constraint): no second "add" for a town that has one.
        municipality = getattr(request.user, "municipality", None)
        if municipality is not None and (
            PreInputSetting.objects.for_municipality(municipality).exists()
        ):
            return False
        return super().has_add_permission(request)
