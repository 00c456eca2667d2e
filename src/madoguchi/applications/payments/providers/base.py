"""What every payment provider offers: dataclasses in, dataclasses out, no ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Checkout:
    """An online payment to start: the amount and the opaque reference of this attempt."""

    reference: str
    amount: int
    description: str  # the procedure's name: no personal data goes to a provider
    municipality_code: str  # where the resident returns to


@dataclass(frozen=True)
class Outcome:
    """What the provider says about an attempt: paid, or declined with a reason to show."""

    paid: bool
    reference: str  # the provider's own transaction reference (never a card number)
    message: str = ""


class PaymentProvider(Protocol):
    key: str  # stored on the payment ("counter", "test_card")
    online: bool  # the resident pays on the web (else staff record it)

    @property
    def label(self) -> str:
        """Shown to residents and staff, in the reader's language."""
        ...

    def checkout_url(self, checkout: Checkout) -> str:
        """Where to send the resident to pay (an online provider's hosted page)."""
        ...

    def confirm(self, checkout: Checkout, data: dict[str, str]) -> Outcome:
        """The result of an attempt, from what the provider's page sent back."""
        ...
