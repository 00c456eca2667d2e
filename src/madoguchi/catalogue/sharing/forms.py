"""Staff forms: local overrides of an adopted procedure, and a prefecture's publication."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.catalogue.models import ProcedureAdoption

# A procedure with its form is a few tens of KB; anything far larger is not one.
PUBLISH_MAX_CHARS = 200_000
EXTRA_FIELDS_MAX_CHARS = 20_000


def _json(text: str, *, expected: type, message: Any) -> Any:
    if not text.strip():
        return expected()
    try:
        value = json.loads(text)
    except ValueError:
        raise forms.ValidationError(message) from None
    if not isinstance(value, expected):
        raise forms.ValidationError(message)
    return value


class OverridesForm(forms.Form):
    fees = forms.CharField(
        label=_("手数料"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "mg-input mg-input--full"}),
        help_text=_("空欄なら共通手続の値を使います。"),
    )
    department = forms.CharField(
        label=_("担当課"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"class": "mg-input mg-input--full"}),
        help_text=_("空欄なら共通手続の値を使います。"),
    )
    contact = forms.CharField(
        label=_("問い合わせ先"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"class": "mg-textarea", "rows": 3}),
        help_text=_("電話番号・受付時間など。手続の説明の最後に表示します。"),
    )
    extra_fields = forms.CharField(
        label=_("自治体独自の項目（JSON）"),
        max_length=EXTRA_FIELDS_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"class": "mg-textarea", "rows": 8, "spellcheck": "false"}),
        help_text=_(
            "様式定義の項目のリスト（docs/form-definition.md の形式）。最後の確認の前に1つのステップとして加わります。"
        ),
    )

    @classmethod
    def for_adoption(cls, adoption: ProcedureAdoption) -> OverridesForm:
        return cls(
            initial={
                "fees": adoption.fees,
                "department": adoption.department,
                "contact": adoption.contact,
                "extra_fields": json.dumps(adoption.extra_fields, ensure_ascii=False, indent=2)
                if adoption.extra_fields
                else "",
            }
        )

    def clean_extra_fields(self) -> list[Any]:
        value: list[Any] = _json(
            self.cleaned_data["extra_fields"],
            expected=list,
            message=_("項目は JSON のリスト（[ … ]）で入力してください。"),
        )
        return value


class PublishForm(forms.Form):
    procedure_json = forms.CharField(
        label=_("手続データ（JSON）"),
        max_length=PUBLISH_MAX_CHARS,
        widget=forms.Textarea(attrs={"class": "mg-textarea", "rows": 12, "spellcheck": "false"}),
        help_text=_(
            "手続の取り込み形式（docs/form-definition.md）。同じ識別名（slug）なら次の版として公開します。"
        ),
        error_messages={"required": _("手続データを入力してください。")},
    )
    note = forms.CharField(
        label=_("変更の説明"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "mg-input mg-input--full"}),
        help_text=_("採用している市区町村に表示します。例：電話番号の項目を追加"),
    )

    def clean_procedure_json(self) -> dict[str, Any]:
        value: dict[str, Any] = _json(
            self.cleaned_data["procedure_json"],
            expected=dict,
            message=_("手続データは JSON のオブジェクト（{ … }）で入力してください。"),
        )
        return value
