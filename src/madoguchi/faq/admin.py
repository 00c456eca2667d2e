"""Admin: municipality rows scoped by TenantScopedAdmin; shared sets for operators only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from madoguchi.accounts.admin_site import PersonalDataAdmin
from madoguchi.tenancy.admin import TenantScopedAdmin

from . import services
from .models import FaqEntry, FaqQueryLog, FaqSet, SharedFaqEntry


@admin.register(FaqEntry)
class FaqEntryAdmin(TenantScopedAdmin):
    list_display = ["question", "category", "status", "last_reviewed", "updated_at"]
    list_filter = ["status", "category"]
    search_fields = ["question", "alt_questions", "keywords"]
    filter_horizontal = ["related_procedures"]
    raw_id_fields = ["overrides"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Sanitise and refresh the index like the staff pages do.
        services.faq_entry_update(entry=obj, answer=obj.answer)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.faq_entry_delete(entry=obj)


@admin.register(FaqQueryLog)
class FaqQueryLogAdmin(PersonalDataAdmin, TenantScopedAdmin):
    list_display = ["created_at", "query", "answered", "helpful"]
    list_filter = ["answered", "helpful"]
    readonly_fields = [
        "created_at", "query", "query_key", "language", "answered", "confidence", "top_doc",
        "helpful", "draft",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class SharedFaqEntryInline(admin.StackedInline):  # type: ignore[type-arg]
    model = SharedFaqEntry
    extra = 0


@admin.register(FaqSet)
class FaqSetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shared sets are the deployment operators' (superusers'); the role backend grants none."""

    list_display = ["name", "prefecture", "is_active"]
    inlines = [SharedFaqEntryInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            services.shared_entry_save(entry=obj)
        formset.save_m2m()
        services.faq_set_touched(faq_set=form.instance)
