"""Staff forms for the hall's configuration: windows, weekly opening hours, closed days."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Municipality, OpeningHours

from .models import CalendarException, Service, Window


class _TenantModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """The municipality is not a form field: check the constraints that include it (one label
    per town, one exception per date) before saving, so a duplicate gets a message."""

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's hook, not in the stubs
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]


class WindowForm(_TenantModelForm):
    class Meta:
        model = Window
        fields = [
            "name",
            "name_en",
            "label",
            "services",
            "accepts_bookings",
            "is_active",
            "sort_order",
        ]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, municipality=municipality, **kwargs)
        services = self.fields["services"]
        assert isinstance(services, forms.ModelMultipleChoiceField)
        services.queryset = Service.objects.for_municipality(municipality).filter(is_active=True)


class WeekHoursForm(forms.Form):
    """One opening period per weekday; both times empty means closed that day."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for weekday, label in OpeningHours.Weekday.choices:
            for part, part_label in (("opens", _("開庁")), ("closes", _("閉庁"))):
                self.fields[f"{part}_{weekday}"] = forms.TimeField(
                    label=f"{label} {part_label}",
                    required=False,
                    input_formats=["%H:%M"],
                    widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
                )

    @classmethod
    def initial_from(cls, hours: list[OpeningHours]) -> dict[str, time]:
        initial: dict[str, time] = {}
        for h in hours:
            initial.setdefault(f"opens_{h.weekday}", h.opens)
            initial.setdefault(f"closes_{h.weekday}", h.closes)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for weekday, label in OpeningHours.Weekday.choices:
            opens, closes = data.get(f"opens_{weekday}"), data.get(f"closes_{weekday}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"opens_{weekday}",
                    _("%(day)s：開庁と閉庁の両方を入れるか、両方とも空にしてください（閉庁日）。")
                    % {"day": label},
                )
            elif opens is not None and closes is not None and opens >= closes:
                self.add_error(
                    f"opens_{weekday}",
                    _("%(day)s：開庁の時刻は閉庁の時刻より前にしてください。") % {"day": label},
                )
        return data

    def periods(self) -> dict[int, tuple[time, time] | None]:
        return {
            weekday: (
                (self.cleaned_data[f"opens_{weekday}"], self.cleaned_data[f"closes_{weekday}"])
                if self.cleaned_data.get(f"opens_{weekday}")
                else None
            )
            for weekday in OpeningHours.Weekday.values
        }

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"opens_{weekday}"], self[f"closes_{weekday}"])
            for weekday, label in OpeningHours.Weekday.choices
        ]


class ClosedDayForm(_TenantModelForm):
    class Meta:
        model = CalendarException
        fields = ["date", "closed", "opens", "closes", "note", "note_en"]
        widgets = {
            "date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "opens": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
            "closes": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        }
        help_texts = {"closed": _("外すと、下の時刻だけ開庁する特別な日になります。")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("closed"):
            data["opens"] = data["closes"] = None
            self.instance.opens = self.instance.closes = None
        return data
