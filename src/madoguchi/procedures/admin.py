"""Staff admin: procedures of the staff member's municipality, the form edited as JSON."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.admin import TenantScopedAdmin

from .models import FormVersion, LifeEvent, LifeEventProcedure, Procedure
from .services import definition_validate, form_version_create


class DefinitionJSONField(forms.JSONField):
    """Shown indented with Japanese as typed, so it can be edited by hand."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class ProcedureAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    definition = DefinitionJSONField(
        label=_("様式定義（JSON）"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 30, "class": "vLargeTextField", "spellcheck": "false"}
        ),
        help_text=_(
            "書式は docs/form-definition.md を参照してください。"
            "変更して保存すると新しい版になり、これまでの版と申請はそのまま残ります。"
        ),
    )

    class Meta:
        model = Procedure
        exclude: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.current_version if self.instance.pk else None
        if current is not None:
            self.fields["definition"].initial = current.definition

    def clean_definition(self) -> Any:
        definition = self.cleaned_data.get("definition")
        if definition in (None, ""):
            return None
        definition_validate(definition)
        return definition


class FormVersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = FormVersion
    extra = 0
    fields = ["number", "created_at", "created_by"]
    readonly_fields = ["number", "created_at", "created_by"]
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(TenantScopedAdmin):
    form = ProcedureAdminForm
    list_display = ["name", "category", "is_published", "online", "booking", "sort_order"]
    list_filter = ["category", "is_published", "online", "booking"]
    search_fields = ["name", "name_en", "summary", "summary_en", "search_keywords", "slug"]
    list_editable = ["sort_order"]
    inlines = [FormVersionInline]
    fieldsets = [  # type: ignore[assignment]
        (
            None,
            {"fields": ["municipality", "slug", "standard_code", "name", "name_en", "category"]},
        ),
        (
            _("案内"),
            {
                # Each text with its English and やさしい日本語 versions right below it.
                "fields": [
                    "summary",
                    "summary_en",
                    "summary_easy",
                    "description",
                    "description_en",
                    "description_easy",
                    "eligibility",
                    "eligibility_en",
                    "eligibility_easy",
                    "what_to_bring",
                    "what_to_bring_en",
                    "what_to_bring_easy",
                    "fees",
                    "fees_en",
                    "department",
                    "department_en",
                    "standard_processing_days",
                    "search_keywords",
                ]
            },
        ),
        (
            _("受付方法と公開"),
            {"fields": ["online", "counter_preinput", "booking", "is_published", "sort_order"]},
        ),
        (_("様式"), {"fields": ["definition"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # TenantScopedAdmin excludes the municipality for staff: drop it from the layout too.
        return [
            (title, {**opts, "fields": [f for f in opts["fields"] if f != "municipality"]})
            for title, opts in fieldsets
        ]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        definition = form.cleaned_data.get("definition")
        procedure = form.instance
        current = procedure.current_version
        if definition is not None and (current is None or current.definition != definition):
            form_version_create(
                procedure=procedure,
                definition=definition,
                created_by=request.user if request.user.is_authenticated else None,
            )


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: versions are made by saving a procedure."""

    list_display = ["procedure", "number", "created_at", "created_by"]
    readonly_fields = ["procedure", "number", "definition", "created_at", "created_by"]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request).select_related("procedure")
        if request.user.is_superuser:
            return qs
        return qs.filter(procedure__municipality=request.user.municipality)  # type: ignore[union-attr]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LifeEventProcedureInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LifeEventProcedure
    extra = 1
    fields = ["procedure", "position"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Only the staff member's own municipality's procedures can be grouped.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and field.queryset is not None and not request.user.is_superuser:
            field.queryset = field.queryset.filter(
                municipality=request.user.municipality  # type: ignore[union-attr]
            )
        return field


@admin.register(LifeEvent)
class LifeEventAdmin(TenantScopedAdmin):
    list_display = ["name", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name", "name_en", "search_keywords", "slug"]
    inlines = [LifeEventProcedureInline]
