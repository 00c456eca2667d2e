"""Staff admin: each procedure's print layout, and the municipality's pre-input mode."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.admin import TenantScopedAdmin

from .models import CounterStation, PreInputSetting, PrintLayout
from .print import LayoutError
from .services import (
    counter_station_issue,
    print_layout_save,
    print_layout_validate,
    read_uploaded_pdf,
    stored_base_pdf,
)


class PlacementsJSONField(forms.JSONField):
    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class PrintLayoutForm(forms.ModelForm):  # type: ignore[type-arg]
    placements = PlacementsJSONField(
        label=_("印字位置（JSON）"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 20, "class": "vLargeTextField", "spellcheck": "false"}
        ),
        help_text=_(
            "書式は docs/official-forms.md を参照してください（x・y はページの左上からの mm）。"
        ),
    )

    class Meta:
        model = PrintLayout
        fields = ["procedure", "kind", "placements", "base_pdf"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        procedure = cleaned.get("procedure")
        kind = cleaned.get("kind")
        if procedure is None or kind is None:
            return cleaned
        upload = self.files.get("base_pdf")
        try:
            pdf = (
                read_uploaded_pdf(upload)
                if upload
                else stored_base_pdf(self.instance if self.instance.pk else None)
            )
            print_layout_validate(
                procedure=procedure,
                kind=kind,
                placements=cleaned.get("placements") if kind == PrintLayout.Kind.OVERLAY else {},
                base_pdf=pdf,
            )
        except LayoutError as exc:
            raise forms.ValidationError(str(exc)) from None
        return cleaned


@admin.register(PrintLayout)
class PrintLayoutAdmin(TenantScopedAdmin):
    form = PrintLayoutForm
    list_display = ["procedure", "kind", "updated_at"]
    list_filter = ["kind"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The one write path (checks again, stores the PDF under an opaque name).
        saved = print_layout_save(
            procedure=form.cleaned_data["procedure"],
            kind=form.cleaned_data["kind"],
            placements=form.cleaned_data.get("placements") or {},
            base_pdf=request.FILES.get("base_pdf"),
        )
        obj.pk = saved.pk
        obj.refresh_from_db()


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


@admin.register(CounterStation)
class CounterStationAdmin(TenantScopedAdmin):
    """Counter PCs whose card agent may hand card attributes to the open form.

    The token is made when the station is added and shown once (only its keyed hash is kept);
    set 「無効にした日時」 to revoke it, and add a new station for a new token.
    """

    list_display = ["name", "created_at", "revoked_at"]
    fields = ["name", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        municipality = (
            obj.municipality
            if request.user.is_superuser and obj.municipality_id
            else request.user.municipality  # type: ignore[union-attr]
        )
        assert municipality is not None
        station, token = counter_station_issue(municipality=municipality, name=obj.name)
        obj.pk = station.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _(
                "窓口端末のトークン（この画面でしか表示しません）：%(token)s　"
                "カードリーダーの端末で MADOGUCHI_COUNTER_TOKEN に設定してください。"
            )
            % {"token": token},
        )
