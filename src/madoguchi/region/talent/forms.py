"""Forms of the talent pool."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Municipality

from ..models import Need, Skill, Specialist


class SpecialistForm(forms.ModelForm):
    skills = forms.MultipleChoiceField(
        label=_("得意分野"),
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    covers = forms.ModelMultipleChoiceField(
        label=_("訪問できる市町村"),
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Specialist
        fields = [
            "name",
            "role",
            "skills",
            "affiliation",
            "summary",
            "base",
            "covers",
            "remote_ok",
            "days_per_month",
            "available_from",
            "is_active",
            "email",
            "phone",
        ]
        widgets = {
            "available_from": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["covers"].queryset = municipalities  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["covers"] = list(self.instance.covers.all())


class NeedForm(forms.ModelForm):
    skills = forms.MultipleChoiceField(
        label=_("求める分野"),
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Need
        fields = [
            "title",
            "role",
            "skills",
            "description",
            "days_per_month",
            "starts_on",
            "remote_ok",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }


class AssignForm(forms.Form):
    specialist = forms.IntegerField(widget=forms.HiddenInput)
    starts_on = forms.DateField(label=_("開始日"), widget=forms.DateInput(attrs={"type": "date"}))


class VisitForm(forms.Form):
    assignment = forms.TypedChoiceField(label=_("派遣"), coerce=int)
    visited_on = forms.DateField(label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("時間"), min_value=0, max_value=24, decimal_places=1)
    topic = forms.CharField(label=_("テーマ"), max_length=200)
    notes = forms.CharField(
        label=_("記録"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    online = forms.BooleanField(label=_("オンラインで実施"), required=False)

    def __init__(self, *args: Any, assignments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(a.pk, a.specialist.name) for a in assignments]


class EndForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label=_("終了日"), widget=forms.DateInput(attrs={"type": "date"}))
