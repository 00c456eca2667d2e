"""Reading payments: what a resident or a clerk is shown about an application's fee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import get_language

from madoguchi.procedures.formdef import FeeQuote
from madoguchi.tenancy.models import Municipality

from .models import Payment, PaymentEvent, PaymentStatus
from .providers import online_providers, provider_for


@dataclass(frozen=True)
class FeeLineView:
    label: str
    unit_price: int
    quantity: int
    amount: int


@dataclass(frozen=True)
class FeeView:
    """A fee as a page shows it: lines in the reader's language, total, exemption."""

    lines: tuple[FeeLineView, ...]
    total: int
    exemption: str = ""


def fee_view(quote: FeeQuote | None) -> FeeView | None:
    """The quote in the reader's language (labels from the definition); None for no fee."""
    if quote is None or not quote.charges:
        return None
    english = (get_language() or "").startswith("en")
    lines = tuple(
        FeeLineView(
            label=(line.label_en if english and line.label_en else line.label),
            unit_price=line.unit_price,
            quantity=line.quantity,
            amount=line.amount,
        )
        for line in quote.lines
    )
    exemption = ""
    if quote.exempt:
        exemption = quote.exemption_label_en if english and quote.exemption_label_en else ""
        exemption = exemption or quote.exemption_label
    return FeeView(lines=lines, total=quote.total, exemption=exemption)


@dataclass(frozen=True)
class PaymentView:
    fee: FeeView
    status: str
    status_label: str
    provider_label: str
    paid_at: datetime | None
    online_providers: tuple[tuple[str, str], ...]  # (key, label) a resident may pay with now

    @property
    def unpaid(self) -> bool:
        return self.status == PaymentStatus.UNPAID


def payment_view(payment: Payment | None) -> PaymentView | None:
    if payment is None:
        return None
    fee = fee_view(FeeQuote.from_json(payment.quote))
    if fee is None:
        return None
    provider = provider_for(payment.provider)
    unpaid = payment.status == PaymentStatus.UNPAID
    return PaymentView(
        fee=fee,
        status=payment.status,
        status_label=payment.get_status_display(),
        provider_label=str(provider.label) if provider else "",
        # A refunded fee keeps when it was paid (the history has it); the resident reads
        # 返金済み alone rather than a payment date beside it.
        paid_at=payment.paid_at if payment.status == PaymentStatus.PAID else None,
        online_providers=tuple((p.key, str(p.label)) for p in online_providers()) if unpaid else (),
    )


def application_payment(*, application_id: int, municipality_id: int) -> Payment | None:
    return (
        Payment.objects.filter(application_id=application_id, municipality_id=municipality_id)
        .select_related("application")
        .first()
    )


def receipt_payment(*, municipality: Municipality, receipt_number: str) -> Payment | None:
    """The payment of the application with this 受付番号 (the browser that submitted it)."""
    return (
        Payment.objects.for_municipality(municipality)
        .filter(application__receipt_number=receipt_number)
        .first()
    )


def payment_events(*, payment: Payment) -> QuerySet[PaymentEvent]:
    return payment.events.select_related("actor").order_by("at", "pk")
