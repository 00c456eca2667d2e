"""The dashboard's filters (GET): period, procedures, channels, services."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import CHANNELS, MAX_DAYS, Filters

EARLIEST = date(2000, 1, 1)
MULTI = {"class": "mg-select in-filters__multi", "size": "4"}


class FilterForm(forms.Form):
    first = forms.DateField(
        label=_("開始日"),
        widget=forms.DateInput(attrs={"type": "date", "class": "mg-input"}, format="%Y-%m-%d"),
    )
    last = forms.DateField(
        label=_("終了日"),
        widget=forms.DateInput(attrs={"type": "date", "class": "mg-input"}, format="%Y-%m-%d"),
    )
    procedure = forms.TypedMultipleChoiceField(
        label=_("手続"), required=False, coerce=int, choices=(), widget=forms.SelectMultiple(MULTI)
    )
    channel = forms.MultipleChoiceField(
        label=_("受付経路"),
        required=False,
        choices=list(CHANNELS.items()),
        widget=forms.SelectMultiple(MULTI),
    )
    service = forms.TypedMultipleChoiceField(
        label=_("窓口業務"),
        required=False,
        coerce=int,
        choices=(),
        widget=forms.SelectMultiple(MULTI),
    )

    def __init__(
        self,
        data: object,
        *,
        procedures: list[tuple[int, str]],
        services: list[tuple[int, str]],
        initial_filters: Filters,
        region: bool = False,
    ) -> None:
        super().__init__(data or None, initial=initial_filters.as_query())  # type: ignore[arg-type]
        self.fields["procedure"].choices = procedures  # type: ignore[attr-defined]
        self.fields["service"].choices = services  # type: ignore[attr-defined]
        if not procedures:
            del self.fields["procedure"]
        if not services:
            del self.fields["service"]
        if region:
            # The region compares whole municipalities: only the period applies.
            del self.fields["channel"]
        self.default = initial_filters

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first"), cleaned.get("last")
        if isinstance(first, date) and isinstance(last, date):
            if first < EARLIEST or last > self.default.last + timedelta(days=366):
                raise forms.ValidationError(
                    _("%(earliest)s から来年までの日付を選んでください。")
                    % {"earliest": EARLIEST.year}
                )
            if last < first:
                raise forms.ValidationError(_("終了日は開始日より後にしてください。"))
            if last - first > timedelta(days=MAX_DAYS):
                raise forms.ValidationError(
                    _("期間は %(days)s 日以内にしてください。") % {"days": MAX_DAYS}
                )
        return cleaned

    def filters(self) -> Filters:
        """The filters asked for, or the default period when the form is empty or invalid."""
        if not self.is_bound or not self.is_valid():
            return self.default
        data = self.cleaned_data
        return Filters(
            first=data["first"],
            last=data["last"],
            procedure_ids=tuple(data.get("procedure") or ()),
            channels=tuple(data.get("channel") or ()),
            service_ids=tuple(data.get("service") or ()),
        )
