"""Admin for the back-office settings: retention periods, API tokens (departments: accounts)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.admin import TenantScopedAdmin

from .handoff import services as handoff_services
from .handoff.models import ApiToken, Scope
from .models import RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(TenantScopedAdmin):
    list_display = ["procedure", "retention_days"]


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    scopes = forms.MultipleChoiceField(
        label=_("権限"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiToken
        fields = ["municipality", "name", "scopes"]


@admin.register(ApiToken)
class ApiTokenAdmin(TenantScopedAdmin):
    """Creating a token shows its secret once; afterwards only the prefix is visible."""

    form = ApiTokenForm
    list_display = ["name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["name", "scopes"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead, so the hand-off records keep their token

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        municipality = (
            obj.municipality if request.user.is_superuser else request.user.municipality  # type: ignore[union-attr]
        )
        assert municipality is not None
        token, secret = handoff_services.api_token_create(
            municipality=municipality,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
        )
        obj.pk = token.pk
        obj._state.adding = False
        messages.warning(
            request,
            _("トークンを発行しました。この画面を離れると二度と表示されません：%(token)s")
            % {"token": secret},
        )

    @admin.action(description=_("選んだトークンを失効させる"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
