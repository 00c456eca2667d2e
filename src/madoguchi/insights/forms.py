"""The dashboard's filters (GET), the staffing page's choices (GET) and the targets (POST)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .selectors import CHANNELS, MAX_DAYS, WEEKDAYS, Filters
from .staffing_plan import DEFAULT_WEEKS as DEFAULT_STAFFING_WEEKS
from .staffing_plan import PERIOD_WEEKS

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


def _interpolate(message: str, values: dict[str, object]) -> str:
    return gettext(message) % values


_lazy_interpolate = lazy(_interpolate, str)


def _interpolated(message: str, **values: object) -> str:
    """A translated message with values, translated when shown (not at import)."""
    return _lazy_interpolate(message, values)  # type: ignore[no-any-return]


class StaffingForm(forms.Form):
    """The staffing page's choices (GET): weekday and how many recent weeks to read."""

    weekday = forms.TypedChoiceField(
        label=_("曜日"),
        coerce=int,
        choices=[(i, label) for i, label in enumerate(WEEKDAYS[:5])],
        widget=forms.Select(attrs={"class": "mg-select"}),
    )
    weeks = forms.TypedChoiceField(
        label=_("読む期間"),
        coerce=int,
        choices=[
            (w, _interpolated(gettext_noop("直近 %(weeks)s 週"), weeks=w)) for w in PERIOD_WEEKS
        ],
        widget=forms.Select(attrs={"class": "mg-select"}),
    )

    def __init__(self, data: object, *, today: date) -> None:
        # Today's weekday on a weekday, Monday at the weekend; the default period.
        self.default_weekday = today.weekday() if today.weekday() < 5 else 0
        initial = {"weekday": self.default_weekday, "weeks": DEFAULT_STAFFING_WEEKS}
        super().__init__(data or None, initial=initial)  # type: ignore[arg-type]

    def choice(self) -> tuple[int, int]:
        """(weekday, weeks) asked for, or the defaults when the form is empty or invalid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["weekday"], self.cleaned_data["weeks"]
        return self.default_weekday, DEFAULT_STAFFING_WEEKS


def _whole_number(low: int, high: int) -> dict[str, object]:
    message = _interpolated(
        gettext_noop("%(low)s から %(high)s までの整数で入力してください。"), low=low, high=high
    )
    return {
        "min_value": low,
        "max_value": high,
        "error_messages": {
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "required": _("入力してください。"),
        },
        "widget": forms.NumberInput(attrs={"class": "mg-input in-number", "inputmode": "numeric"}),
    }


class TargetsForm(forms.Form):
    """A municipality's targets for its figures (POST)."""

    online_target_percent = forms.IntegerField(
        label=_("オンライン申請の目標（%）"),
        help_text=_("申請のうちオンラインで受け付ける割合の目標。1〜100。"),
        **_whole_number(1, 100),  # type: ignore[arg-type]
    )
    wait_target_minutes = forms.IntegerField(
        label=_("待ち時間の目標（分以内に呼出）"),
        help_text=_("来庁者の 90 % をこの分数以内に呼び出すことを目標にします。1〜240。"),
        **_whole_number(1, 240),  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-help id_{name}-error"
