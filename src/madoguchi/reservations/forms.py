"""Resident forms: contact details for a booking, and finding a booking again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core import params
from madoguchi.core.japanese_text import normalize_input
from madoguchi.core.phone import normalize_phone
from madoguchi.procedures.models import Procedure


class BookingForm(forms.Form):
    procedures = forms.ModelMultipleChoiceField(
        label=_("ご用件の手続（分かれば選んでください）"),
        queryset=Procedure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    name = forms.CharField(
        label=_("お名前"),
        max_length=80,
        help_text=_("窓口でお呼びするときに確かめます。例：窓口 花子"),
        error_messages={"required": _("お名前を入力してください。")},
    )
    phone = forms.CharField(
        label=_("電話番号"),
        max_length=30,
        required=False,
        help_text=_("電話番号かメールアドレスのどちらかを入力してください。例：090-1234-5678"),
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        max_length=params.EMAIL_MAX_LENGTH,
        help_text=_("入力すると、予約の内容と前日のお知らせをメールでお送りします。"),
        error_messages={
            "invalid": _("メールアドレスを「example@example.jp」の形で入力してください。"),
            "max_length": _("メールアドレスは%(limit_value)d文字以内で入力してください。"),
        },
    )
    start = forms.CharField(label=_("日時"), widget=forms.HiddenInput, max_length=20)
    token = forms.CharField(
        label=_("送信の確認"), widget=forms.HiddenInput, min_length=8, max_length=40
    )

    def __init__(self, *args: Any, procedure_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if procedure_choices is not None:
            self.fields["procedures"].queryset = procedure_choices  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = normalize_input(self.cleaned_data["name"]).strip()
        if not name:
            raise ValidationError(_("お名前を入力してください。"))
        return name

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "")
        if not phone.strip():
            return ""
        return normalize_phone(phone)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            not self.has_error("phone")
            and not self.has_error("email")
            and not cleaned.get("phone")
            and not cleaned.get("email")
        ):
            self.add_error("phone", _("電話番号かメールアドレスのどちらかを入力してください。"))
        return cleaned


class FindBookingForm(forms.Form):
    code = forms.CharField(
        label=_("予約番号（8文字）"),
        max_length=30,
        help_text=_("例：ABCD-EFGH"),
        error_messages={"required": _("予約番号を入力してください。")},
    )
    secret = forms.CharField(
        label=_("確認用の数字（6桁）"),
        max_length=20,
        error_messages={"required": _("確認用の数字を入力してください。")},
    )
