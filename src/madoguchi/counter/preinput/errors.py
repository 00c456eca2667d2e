"""Refusals of a pre-input at the counter: a stable code for support, a message for staff."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class PreInputRefused(Exception):
    """A scanned token or payload that cannot be used; `code` is stable (docs/preinput.md)."""

    def __init__(self, code: str, **detail: Any) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        return f"{_message(self.code, self.detail)}（{self.code}）"


def _message(code: str, detail: dict[str, Any]) -> str:
    if code == "PI-MISSING":
        missing = "、".join(str(i) for i in detail.get("missing", []))
        return _(
            "QRコード全{total}枚のうち、{missing}枚目がまだ読み取られていません。"
            "続けて読み取ってください。"
        ).format(total=detail.get("total", "?"), missing=missing)
    messages = {
        "PI-FORMAT": _(
            "事前入力のQRコードとして読み取れませんでした。もう一度読み取るか、画像を選び直してください。"
        ),
        "PI-EMPTY": _("QRコードが読み取られていません。"),
        "PI-NOQR": _(
            "画像からQRコードが見つかりませんでした。明るい場所で、正面から撮り直してください。"
        ),
        "PI-VERSION": _(
            "この形式の事前入力には対応していません。新しい事前入力を作り直してもらってください。"
        ),
        "PI-MIXED": _(
            "別々の事前入力のQRコードが混ざっています。読み取りをやり直し、一人分ずつ読み取ってください。"
        ),
        "PI-FORGED": _(
            "この事前入力は検証できませんでした（改ざんされたか、この自治体で作られたものではありません）。"
            "申請書に記入してもらうか、聞き取りで入力してください。"
        ),
        "PI-UNKNOWN": _(
            "この事前入力は見つかりませんでした（削除されたか、誤ったコードです）。"
            "申請書に記入してもらうか、聞き取りで入力してください。"
        ),
        "PI-OTHER-TOWN": _(
            "ほかの自治体あての事前入力です。この窓口では使えません。お住まいの（転入先の）自治体で作り直してもらってください。"
        ),
        "PI-EXPIRED": _(
            "この事前入力は有効期限が切れています。もう一度入力してもらうか、聞き取りで入力してください。"
        ),
        "PI-USED": _(
            "この事前入力はすでに窓口で読み取り済みです。同じQRコードは一度しか使えません。"
        ),
        "PI-PROCEDURE": _(
            "この事前入力の手続が見つかりません（公開が終わったか、様式が変わりました）。"
        ),
    }
    return messages.get(code, messages["PI-FORMAT"])
