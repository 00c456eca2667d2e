"""The payment provider registry: the counter and the test card by default, more can be added.

from madoguchi.applications.payments.providers import register
register(MyProvider())   # offered to residents from then on (online providers)
"""

from __future__ import annotations

from .base import Checkout, Outcome, PaymentProvider
from .counter import CounterProvider
from .test_card import TestCardProvider

_REGISTRY: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> None:
    _REGISTRY[provider.key] = provider


def provider_for(key: str) -> PaymentProvider | None:
    return _REGISTRY.get(key)


def online_providers() -> list[PaymentProvider]:
    return [p for p in _REGISTRY.values() if p.online]


register(CounterProvider())
register(TestCardProvider())

__all__ = [
    "Checkout",
    "Outcome",
    "PaymentProvider",
    "online_providers",
    "provider_for",
    "register",
]
