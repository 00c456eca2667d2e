"""Pay at the counter (窓口で支払う): cash or a counter terminal; staff record the payment."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .base import Checkout, Outcome


class CounterProvider:
    key = "counter"
    online = False

    @property
    def label(self) -> str:
        return _("窓口で支払う")

    def checkout_url(self, checkout: Checkout) -> str:
        raise NotImplementedError("paid at the counter: staff record it")

    def confirm(self, checkout: Checkout, data: dict[str, str]) -> Outcome:
        raise NotImplementedError("paid at the counter: staff record it")
