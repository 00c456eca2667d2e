"""A test card payment served by the app itself: no real provider is ever contacted.

Card numbers starting with 4242 are paid; any other number is declined. The number is read
once to decide, never stored, never logged, never passed on (the reference is a random one).
"""

from __future__ import annotations

import secrets

from django.urls import reverse
from django.utils.translation import gettext as _

from .base import Checkout, Outcome

SUCCEEDS = "4242"


class TestCardProvider:
    key = "test_card"
    online = True

    @property
    def label(self) -> str:
        return _("クレジットカード（テスト）")

    def checkout_url(self, checkout: Checkout) -> str:
        return reverse(
            "applications:pay_test_card",
            kwargs={"municipality_code": checkout.municipality_code, "token": checkout.reference},
        )

    def confirm(self, checkout: Checkout, data: dict[str, str]) -> Outcome:
        digits = "".join(ch for ch in data.get("card_number", "") if ch.isdigit())
        if len(digits) < 12 or len(digits) > 19:
            return Outcome(False, "", _("カード番号を12〜19桁の数字で入力してください。"))
        if not digits.startswith(SUCCEEDS):
            return Outcome(
                False, "", _("このカードは使えませんでした。別のカードか、窓口でお支払いください。")
            )
        return Outcome(True, f"test_{secrets.token_hex(8)}")
