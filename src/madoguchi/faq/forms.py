from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality

from .models import FaqEntry
from .services import QUESTION_MAX_CHARS


class QuestionForm(forms.Form):
    q = forms.CharField(
        label=_("質問"),
        max_length=QUESTION_MAX_CHARS,
        error_messages={
            "required": _("質問を入力してください。"),
            "max_length": _("質問は%(limit_value)d文字以内で入力してください。"),
        },
    )


class FeedbackForm(forms.Form):
    log = forms.UUIDField()
    helpful = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class FaqEntryForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = FaqEntry
        fields = [
            "question",
            "alt_questions",
            "answer",
            "question_en",
            "answer_en",
            "category",
            "category_en",
            "keywords",
            "related_procedures",
            "contact",
            "contact_en",
            "status",
            "last_reviewed",
        ]
        widgets = {
            "question": forms.TextInput(attrs={"class": "mg-input mg-input--full"}),
            "alt_questions": forms.Textarea(attrs={"class": "mg-textarea", "rows": 3}),
            "answer": forms.Textarea(attrs={"class": "mg-textarea", "rows": 8}),
            "question_en": forms.TextInput(
                attrs={"class": "mg-input mg-input--full", "lang": "en"}
            ),
            "answer_en": forms.Textarea(attrs={"class": "mg-textarea", "rows": 6, "lang": "en"}),
            "category": forms.TextInput(attrs={"class": "mg-input"}),
            "category_en": forms.TextInput(attrs={"class": "mg-input", "lang": "en"}),
            "keywords": forms.TextInput(attrs={"class": "mg-input mg-input--full"}),
            "related_procedures": forms.CheckboxSelectMultiple,
            "contact": forms.Textarea(attrs={"class": "mg-textarea", "rows": 3}),
            "contact_en": forms.Textarea(attrs={"class": "mg-textarea", "rows": 3, "lang": "en"}),
            "status": forms.Select(attrs={"class": "mg-select"}),
            "last_reviewed": forms.DateInput(attrs={"class": "mg-input", "type": "date"}),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["related_procedures"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Procedure.objects.for_municipality(municipality).order_by("name")
        # Tie help texts and errors to their inputs for screen readers.
        for name, bound in self.fields.items():
            if bound.help_text:
                bound.widget.attrs["aria-describedby"] = f"{name}-help"


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("CSVファイル"))
    encoding = forms.ChoiceField(
        label=_("文字コード"),
        choices=[
            ("auto", _("自動判別")),
            ("utf-8", "UTF-8"),
            ("shift_jis", "Shift_JIS"),
        ],
        initial="auto",
    )
