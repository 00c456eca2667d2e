"""Managers configure the hall in the admin, scoped to their own municipality."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest

from madoguchi.accounts.admin_site import PersonalDataAdmin
from madoguchi.tenancy.admin import TenantConstraintsAdmin, TenantScopedAdmin

from .models import Booking, CalendarException, ReservationPolicy, Service, VisitEvent, Window


class _ScopedManyToMany(TenantConstraintsAdmin):
    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and field.queryset is not None and not request.user.is_superuser:
            field.queryset = field.queryset.filter(
                municipality=request.user.municipality  # type: ignore[union-attr]
            )
        return field


@admin.register(ReservationPolicy)
class ReservationPolicyAdmin(TenantConstraintsAdmin):
    list_display = [
        "municipality",
        "slot_minutes",
        "walk_in_share_percent",
        "booking_horizon_days",
        "max_active_bookings_per_person",
    ]


@admin.register(CalendarException)
class CalendarExceptionAdmin(TenantConstraintsAdmin):
    list_display = ["date", "closed", "opens", "closes", "note"]
    date_hierarchy = "date"


@admin.register(Service)
class ServiceAdmin(_ScopedManyToMany):
    list_display = ["series", "name", "standard_minutes", "bookable", "is_active", "sort_order"]
    list_editable = ["sort_order"]
    filter_horizontal = ["procedures"]


@admin.register(Window)
class WindowAdmin(_ScopedManyToMany):
    list_display = ["name", "label", "accepts_bookings", "is_active", "sort_order"]
    filter_horizontal = ["services"]


@admin.register(Booking)
class BookingAdmin(PersonalDataAdmin, TenantScopedAdmin):
    list_display = ["code", "start", "service", "status"]
    list_filter = ["status", "service"]
    date_hierarchy = "start"
    search_fields = ["code"]
    readonly_fields = [
        "code",
        "service",
        "start",
        "end",
        "name",
        "phone",
        "email",
        "status",
        "created_at",
        "cancelled_at",
        "reminder_sent_at",
    ]
    exclude = ["secret_hash", "contact_hash", "submission_token", "procedures"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bookings go through the booking service (capacity)


@admin.register(VisitEvent)
class VisitEventAdmin(TenantScopedAdmin):
    list_display = ["at", "ticket", "kind", "service", "window"]
    list_filter = ["kind", "service"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
