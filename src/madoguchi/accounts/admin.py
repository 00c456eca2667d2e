"""Staff accounts in the admin: operators manage everyone; a municipality admin only their town."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from madoguchi.tenancy.admin import TenantScopedAdmin

from .models import MUNICIPALITY_ROLES, Role, StaffDepartment, StaffUser


def _is_municipality_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_authenticated
        and not user.is_superuser
        and getattr(user, "role", "") == Role.MUNICIPALITY_ADMIN
        and getattr(user, "municipality_id", None)
    )


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "last_name", "first_name", "municipality", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("所属と役割", {"fields": ("municipality", "prefecture", "role")}),
    )
    # What a municipality admin may edit: never permissions, superuser flags or another tenant.
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("個人情報", {"fields": ("last_name", "first_name", "email")}),
        ("役割", {"fields": ("role", "is_active", "is_staff")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffUser]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(municipality_id=getattr(request.user, "municipality_id", None))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) or _is_municipality_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission  # type: ignore[assignment]
    has_delete_permission = has_view_permission

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return ((None, {"fields": ("username", "password1", "password2", "role")}),)
        return self.limited_fieldsets

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [("", "---------")] + [
                (r.value, r.label) for r in MUNICIPALITY_ROLES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.municipality_id = request.user.municipality_id  # type: ignore[union-attr]
            obj.prefecture_id = None
            obj.is_superuser = False
        super().save_model(request, obj, form, change)


@admin.register(StaffDepartment)
class StaffDepartmentAdmin(TenantScopedAdmin):
    list_display = ["staff", "department"]
    search_fields = ["department", "staff__username"]
