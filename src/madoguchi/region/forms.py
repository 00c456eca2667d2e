"""Forms of the prefecture console (the services check the rules again)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.core.params import in_day_range
from madoguchi.tenancy.models import Municipality, Prefecture

from .models import Agreement, JointSystem
from .services import AGREEMENT_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(forms.ModelForm):
    """DADS classes on every widget; help text and errors tied with aria-describedby."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "mg-checkbox"
            elif isinstance(widget, forms.Select):
                css = "mg-select"
            elif isinstance(widget, forms.Textarea):
                css = "mg-textarea"
            else:
                css = "mg-input"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{name}-help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class JointSystemForm(StyledForm):
    class Meta:
        model = JointSystem
        fields = [
            "name",
            "domain",
            "system_type",
            "vendor",
            "initial_cost",
            "annual_cost",
            "period_start",
            "period_end",
            "spec_shareable",
            "subsidy",
            "background",
            "process",
            "is_public",
        ]
        widgets = {
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "background": forms.Textarea(attrs={"rows": 4}),
            "process": forms.Textarea(attrs={"rows": 4}),
        }


class AgreementForm(StyledForm):
    class Meta:
        model = Agreement
        fields = list(AGREEMENT_FIELDS)
        widgets = {
            "population_date": DATE_WIDGET,
            "usage_from": DATE_WIDGET,
            "usage_to": DATE_WIDGET,
        }

    def __init__(self, *args: Any, prefecture: Prefecture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = JointSystem.objects.filter(  # type: ignore[attr-defined]
            prefecture=prefecture
        )
        self.fields["remainder_to"].queryset = Municipality.objects.filter(  # type: ignore[attr-defined]
            prefecture=prefecture
        ).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("population_date", "usage_from", "usage_to"):
            day = data.get(name)
            if day is not None and not in_day_range(day):
                self.add_error(name, _("日付を確かめてください。"))
        weights = [
            data.get(k)
            for k in ("weight_equal", "weight_population", "weight_usage", "weight_need")
        ]
        if all(isinstance(w, Decimal) for w in weights) and sum(weights) != 1:  # type: ignore[arg-type]
            raise forms.ValidationError(
                _(
                    "均等割・人口割・利用割・財政需要割の合計を1にしてください（例：0.1、0.45、0.45、0）。"
                )
            )
        return data


def _number(value: str, *, integer: bool) -> Decimal | None:
    text = value.replace(",", "").strip()
    if not text:
        return Decimal(0)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > Decimal(10) ** 14:
        return None
    if integer and number != number.to_integral_value():
        return None
    return number.quantize(Decimal(1) if integer else Decimal("0.01"))


class MemberRow:
    """One municipality's row of the members table (a plain form: one row per municipality)."""

    def __init__(
        self, municipality: Municipality, data: dict[str, Any] | None, initial: Any
    ) -> None:
        self.municipality = municipality
        code = municipality.code
        self.prefix = f"m{code}"
        if data is None:
            self.included = initial is not None
            self.population = str(initial.population if initial else municipality.population or 0)
            self.usage = str(initial.usage if initial else 0)
            self.fiscal_need = str(initial.fiscal_need if initial else 0)
        else:
            self.included = data.get(f"{self.prefix}-in") == "1"
            self.population = str(data.get(f"{self.prefix}-population", ""))[:20]
            self.usage = str(data.get(f"{self.prefix}-usage", ""))[:20]
            self.fiscal_need = str(data.get(f"{self.prefix}-need", ""))[:20]
        self.errors: list[str] = []

    def clean(self) -> tuple[int, Decimal, Decimal] | None:
        population = _number(self.population, integer=True)
        usage = _number(self.usage, integer=False)
        need = _number(self.fiscal_need, integer=True)
        if population is not None and population > 2**31 - 1:
            population = None
        if usage is not None and usage >= Decimal(10) ** 11:
            usage = None
        if population is None:
            self.errors.append(str(_("人口は0以上の整数で入力してください。")))
        if usage is None:
            self.errors.append(str(_("利用量は0以上の数で入力してください。")))
        if need is None:
            self.errors.append(str(_("基準財政需要額は0以上の整数（千円）で入力してください。")))
        if population is None or usage is None or need is None:
            return None
        return int(population), usage, need


class ParticipantRow:
    """One municipality's row of a joint system's participants table."""

    def __init__(
        self, municipality: Municipality, data: dict[str, Any] | None, initial: Any
    ) -> None:
        self.municipality = municipality
        self.prefix = f"p{municipality.code}"
        if data is None:
            self.included = initial is not None
            self.population = str(initial.population if initial else municipality.population or 0)
            self.staff_covered = str(initial.staff_covered if initial else 0)
        else:
            self.included = data.get(f"{self.prefix}-in") == "1"
            self.population = str(data.get(f"{self.prefix}-population", ""))[:20]
            self.staff_covered = str(data.get(f"{self.prefix}-staff", ""))[:20]
        self.errors: list[str] = []

    def clean(self) -> tuple[int, int] | None:
        population = _number(self.population, integer=True)
        staff = _number(self.staff_covered, integer=True)
        if population is None or population > 2**31 - 1:
            self.errors.append(str(_("人口は0以上の整数で入力してください。")))
            population = None
        if staff is None or staff > 2**31 - 1:
            self.errors.append(str(_("対象職員数は0以上の整数で入力してください。")))
            staff = None
        if population is None or staff is None:
            return None
        return int(population), int(staff)
