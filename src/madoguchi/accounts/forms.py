from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device

from .models import MUNICIPALITY_ROLES
from .second_factor import second_factor_failed


class StaffLoginForm(AuthenticationForm):
    """Username + password; staff who set up an authenticator app also give its 6-digit code."""

    otp_token = forms.CharField(required=False, max_length=8)

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "ユーザー名またはパスワードが違います。大文字と小文字の区別にも注意してください。"
        ),
        "inactive": _("このアカウントは使えません。システム管理者に連絡してください。"),
        "otp_required": _("認証アプリに表示されている6桁の確認コードを入力してください。"),
        "otp_invalid": _(
            "確認コードが違うか、有効期限が切れています。新しいコードを入力してください。"
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.otp_device: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user, confirmed=True):
            token = (cleaned.get("otp_token") or "").strip()
            if not token:
                second_factor_failed(self.request, user.get_username())
                raise forms.ValidationError(
                    self.error_messages["otp_required"], code="otp_required"
                )
            self.otp_device = match_token(user, token)
            if self.otp_device is None:
                second_factor_failed(self.request, user.get_username())
                raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        return cleaned


class SecondFactorPolicyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("2段階認証を必須にする役割"),
        required=False,
        choices=[(r.value, r.label) for r in MUNICIPALITY_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
