"""The outbox, read-only: what was sent, what waits for a retry and why (no personal data)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from madoguchi.tenancy.admin import TenantScopedAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(TenantScopedAdmin):
    list_display = [
        "created_at",
        "template",
        "channel",
        "language",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["state", "template", "channel"]
    exclude = ["sealed"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
