"""Managers set their municipality's targets in the admin (scoped to their municipality)."""

from __future__ import annotations

from django.contrib import admin

from madoguchi.tenancy.admin import TenantScopedAdmin

from .models import InsightsTarget


@admin.register(InsightsTarget)
class InsightsTargetAdmin(TenantScopedAdmin):
    list_display = ("municipality", "online_target_percent", "wait_target_minutes")
