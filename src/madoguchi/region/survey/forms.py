"""Forms of the DX survey (the answers themselves are read question by question in views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Question, Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["fiscal_year", "title", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("選択肢（1行に1つ）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("「選択肢から一つ」のときだけ使います。最初の選択肢の割合を比べます。"),
    )

    class Meta:
        model = Question
        fields = [
            "section",
            "key",
            "text",
            "help_text",
            "kind",
            "unit",
            "max_value",
            "measured",
            "evidence_requested",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text = cleaned.pop("choices_text", "") or ""
        cleaned["choices"] = [line.strip() for line in text.splitlines() if line.strip()][:20]
        return cleaned


class QuestionEditForm(QuestionForm):
    """The same question without its key: the key names the question year on year."""

    class Meta(QuestionForm.Meta):
        fields = [f for f in QuestionForm.Meta.fields if f != "key"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["choices_text"] = "\n".join(self.instance.choices)


class EvidenceForm(forms.Form):
    question = forms.TypedChoiceField(label=_("どの設問の資料か"), coerce=int, required=False)
    file = forms.FileField(
        label=_("ファイル"),
        help_text=_("PDF・JPEG・PNG（10MBまで）。個人情報が載っていないものにしてください。"),
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["question"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("調査全体"))] + [(q.pk, q.text) for q in questions]
        field.empty_value = None
