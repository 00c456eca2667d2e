"""Admin for tenants, and the mixin that scopes every tenant-owned admin to the user's town."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from .models import Municipality, OpeningHours, Prefecture, TrustPage


class TenantScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Staff see and change only their own municipality's rows; superusers see all."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(municipality=request.user.municipality)  # type: ignore[union-attr]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            excluded.append("municipality")
        return excluded

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.municipality = request.user.municipality  # type: ignore[union-attr]
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        model = db_field.related_model
        if (
            field is not None
            and field.queryset is not None
            and not request.user.is_superuser
            and hasattr(model, "municipality")
            and isinstance(model, type)
        ):
            field.queryset = field.queryset.filter(
                municipality=request.user.municipality  # type: ignore[union-attr]
            )
        return field


class OpeningHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningHours
    extra = 0


class TenantConstraintsAdmin(TenantScopedAdmin):
    """Check unique constraints that include the (hidden) municipality before saving.

    TenantScopedAdmin leaves `municipality` out of the form, so Django would skip those
    constraints and a duplicate would end in an IntegrityError instead of a message.
    """

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        municipality = getattr(request.user, "municipality", None)
        if request.user.is_superuser or municipality is None:
            return form

        class ScopedForm(form):  # type: ignore[valid-type,misc]
            def _post_clean(self) -> None:
                self.instance.municipality = municipality
                super()._post_clean()
                try:
                    self.instance.validate_constraints()
                except ValidationError as exc:
                    self._update_errors(exc)

        return ScopedForm


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "prefecture", "is_active"]
    list_filter = ["prefecture", "is_active"]
    search_fields = ["code", "name", "name_kana"]
    inlines = [OpeningHoursInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Municipality]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=getattr(request.user, "municipality_id", None))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return ()
        return ("code", "prefecture", "is_active")


@admin.register(TrustPage)
class TrustPageAdmin(TenantConstraintsAdmin):
    """Each municipality writes its own privacy notice, terms and accessibility statement
    (one page per kind: the constraint is checked before saving)."""

    list_display = ["kind", "updated_on"]
    list_filter = ["kind"]
