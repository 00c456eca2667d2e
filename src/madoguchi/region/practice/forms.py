"""Forms of the good-practice library."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import EffectPeriod, PracticeCase, PracticeEffect, PracticeTheme
from .selectors import population_labels


class SearchForm(forms.Form):
    q = forms.CharField(label=_("キーワード"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("テーマ"), required=False)
    population = forms.ChoiceField(label=_("人口規模"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = self.fields["theme"]
        population = self.fields["population"]
        assert isinstance(theme, forms.ChoiceField) and isinstance(population, forms.ChoiceField)
        theme.choices = [("", _("すべて")), *PracticeTheme.choices]
        population.choices = [("", _("すべて"))] + [(p, p) for p in population_labels()]


class CaseForm(forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label=_("テーマ"),
        choices=PracticeTheme.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PracticeCase
        fields = [
            "title",
            "themes",
            "background",
            "summary",
            "keywords",
            "started_on",
            "cost_initial",
            "cost_annual",
            "cost_note",
        ]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "background": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }


class EffectForm(forms.ModelForm):
    class Meta:
        model = PracticeEffect
        fields = ["label", "value", "unit", "period", "measured_from", "measured_to"]
        labels = {
            "measured_from": _("期間の始め（任意）"),
            "measured_to": _("期間の終わり（任意）"),
        }
        widgets = {
            "measured_from": forms.DateInput(attrs={"type": "date"}),
            "measured_to": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"label": _("例：窓口の対応時間の削減")}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("判断"),
        choices=[("publish", _("公開する")), ("return", _("差し戻す"))],
        widget=forms.RadioSelect,
    )
    is_public = forms.BooleanField(label=_("ほかの都道府県にも公開する"), required=False)
    note = forms.CharField(
        label=_("コメント（差し戻すときは必須）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResultForm(forms.Form):
    label = forms.CharField(label=_("結果"), max_length=80, help_text=_("例：待ち時間の短縮"))
    value = forms.DecimalField(
        label=_("数値"),
        max_digits=14,
        decimal_places=2,
        min_value=-(10**11),
        max_value=10**11,
    )
    unit = forms.CharField(label=_("単位"), max_length=20, help_text=_("例：分、時間、%"))
    period = forms.ChoiceField(label=_("期間"), choices=EffectPeriod.choices)
    on = forms.DateField(label=_("結果の時点"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("結果の補足"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
