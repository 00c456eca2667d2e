from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BundleUploadForm(forms.Form):
    bundle = forms.FileField(
        label=_("バンドル（zip）"),
        help_text=_(
            "マイナポータル等から受け取った申請のバンドル（zip ファイル）を選んでください。"
        ),
    )


class LinkageUploadForm(forms.Form):
    csv_file = forms.FileField(
        label=_("紐付け表（CSV）"),
        help_text=_("住民記録システムから出力した CSV（UTF-8 または Shift_JIS）を選んでください。"),
    )
    full_replace = forms.BooleanField(
        label=_("全件置換（ファイルにない紐付けを削除する）"), required=False
    )
