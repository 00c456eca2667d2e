"""Every write of a payment: charged at creation, paid online or at the counter, refunded or
waived by staff.

Each change takes the payment row's lock first, so a repeated or parallel request (a double
click on 支払う, two clerks at once) finds it already paid and changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction
from madoguchi.core.secrets import candidate_hashes, keyed_hash
from madoguchi.procedures.formdef import FeeQuote

from .models import Payment, PaymentEvent, PaymentStatus
from .providers import Checkout, provider_for

CHECKOUT_PURPOSE = "applications.payment-checkout"
CHECKOUT_MINUTES = 30


class PaymentRefused(Exception):
    """A payment change that cannot be made; `message` says why, for the person in front."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def payment_rows(
    *, application_id: int, municipality_id: int, quote: FeeQuote | None
) -> tuple[dict[str, Any], str] | None:
    """The payment row for a new application and its first event's kind (None: nothing to
    pay). An exemption is kept as a waived payment, so the back office sees it.

    Used by the one creation service (applications/creation.py), single and batch.
    """
    if quote is None or quote.subtotal == 0:  # no fee, or only free lines
        return None
    waived = quote.exempt
    row = {
        "municipality_id": municipality_id,
        "application_id": application_id,
        "amount": quote.total,
        "quote": quote.as_json(),
        "status": (PaymentStatus.WAIVED if waived else PaymentStatus.UNPAID).value,
    }
    kind = PaymentEvent.Kind.WAIVED if waived else PaymentEvent.Kind.CHARGED
    return row, kind.value


def _locked(payment: Payment) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("application__procedure", "application__municipality")
        .get(pk=payment.pk)
    )


@dataclass(frozen=True)
class StartedCheckout:
    url: str
    reference: str


def payment_checkout_start(*, payment: Payment, provider_key: str) -> StartedCheckout:
    """Start an online payment: a fresh opaque reference, valid for 30 minutes."""
    provider = provider_for(provider_key)
    if provider is None or not provider.online:
        raise PaymentRefused(_("この支払方法は使えません。"))
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status != PaymentStatus.UNPAID:
            raise PaymentRefused(_("この申請の手数料は、すでにお支払いいただいています。"))
        reference = secrets.token_urlsafe(24)
        now = timezone.now()
        payment.checkout_hash = keyed_hash(reference, purpose=CHECKOUT_PURPOSE)
        payment.checkout_expires_at = now + timedelta(minutes=CHECKOUT_MINUTES)
        payment.provider = provider.key
        payment.save(
            update_fields=["checkout_hash", "checkout_expires_at", "provider", "updated_at"]
        )
        PaymentEvent.objects.create(
            payment=payment,
            kind=PaymentEvent.Kind.CHECKOUT_STARTED,
            amount=payment.amount,
            provider=provider.key,
            at=now,
        )
    url = provider.checkout_url(_checkout(payment, reference))
    return StartedCheckout(url=url, reference=reference)


def payment_for_checkout(*, municipality_id: int, reference: str) -> Payment | None:
    """The payment an online checkout reference belongs to, while it is valid."""
    if not reference or len(reference) > 100:
        return None
    return (
        Payment.objects.filter(
            municipality_id=municipality_id,
            checkout_hash__in=candidate_hashes(reference, purpose=CHECKOUT_PURPOSE),
            checkout_expires_at__gt=timezone.now(),
        )
        .select_related("application__procedure", "application__municipality")
        .first()
    )


def _checkout(payment: Payment, reference: str) -> Checkout:
    application = payment.application
    return Checkout(
        reference=reference,
        amount=payment.amount,
        description=application.procedure.name,
        municipality_code=application.municipality.code,
    )


@dataclass(frozen=True)
class CheckoutResult:
    paid: bool
    message: str = ""
    already: bool = False  # paid before this request (a repeated submit): nothing charged


def payment_checkout_confirm(
    *, payment: Payment, reference: str, data: dict[str, str]
) -> CheckoutResult:
    """Ask the provider about the attempt and record what it says; idempotent once paid."""
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status == PaymentStatus.PAID:
            return CheckoutResult(paid=True, already=True)
        if payment.status != PaymentStatus.UNPAID:
            return CheckoutResult(paid=False, message=_("この申請の手数料はお支払い不要です。"))
        provider = provider_for(payment.provider)
        if provider is None or not provider.online:
            return CheckoutResult(paid=False, message=_("この支払方法は使えません。"))
        outcome = provider.confirm(_checkout(payment, reference), data)
        now = timezone.now()
        if not outcome.paid:
            PaymentEvent.objects.create(
                payment=payment,
                kind=PaymentEvent.Kind.DECLINED,
                amount=payment.amount,
                provider=provider.key,
                at=now,
            )
            return CheckoutResult(paid=False, message=outcome.message)
        _mark_paid(payment, provider=provider.key, reference=outcome.reference, actor=None, at=now)
    return CheckoutResult(paid=True)


def payment_mark_paid(*, payment: Payment, actor: StaffUser, expected_status: str) -> Payment:
    """Staff record a payment taken at the counter (who and when are kept, and audited)."""
    with transaction.atomic():
        locked = _locked(payment)
        if locked.status != PaymentStatus.UNPAID or expected_status != PaymentStatus.UNPAID:
            raise PaymentRefused(
                _("この手数料はすでに「%(status)s」です。画面を開き直して確かめてください。")
                % {"status": locked.get_status_display()}
            )
        now = timezone.now()
        _mark_paid(locked, provider="counter", reference="", actor=actor, at=now)
        audit_record(
            actor=actor,
            action=AuditAction.PAYMENT,
            municipality=locked.municipality,
            obj=locked,
        )
    return locked


def payment_refund(
    *, payment: Payment, actor: StaffUser, expected_status: str, reason: str
) -> Payment:
    """Staff record that a paid fee was given back (with why); the payment stays in the history."""
    return _staff_settle(
        payment,
        actor=actor,
        expected_status=expected_status,
        reason=reason,
        allowed_from=PaymentStatus.PAID,
        to=PaymentStatus.REFUNDED,
        kind=PaymentEvent.Kind.REFUNDED,
        refused=_("返金を記録できるのは、支払済みの手数料だけです。"),
    )


def payment_waive(
    *, payment: Payment, actor: StaffUser, expected_status: str, reason: str
) -> Payment:
    """Staff exempt an unpaid fee (e.g. at the counter, under the 手数料条例), with why."""
    return _staff_settle(
        payment,
        actor=actor,
        expected_status=expected_status,
        reason=reason,
        allowed_from=PaymentStatus.UNPAID,
        to=PaymentStatus.WAIVED,
        kind=PaymentEvent.Kind.WAIVED,
        refused=_("免除できるのは、未払いの手数料だけです。支払済みなら返金を記録してください。"),
    )


REASON_MAX = PaymentEvent._meta.get_field("note").max_length or 200


def _staff_settle(
    payment: Payment,
    *,
    actor: StaffUser,
    expected_status: str,
    reason: str,
    allowed_from: str,
    to: str,
    kind: str,
    refused: str,
) -> Payment:
    """One staff change of a payment's status: the page's status must still hold (a double
    submit or a second clerk changes nothing), the change must be allowed from it, and the
    reason is kept in the history; audited like a counter payment."""
    reason = " ".join(reason.split())
    if not reason:
        raise PaymentRefused(_("理由を入力してください。"))
    if len(reason) > REASON_MAX:
        raise PaymentRefused(_("理由は%(max)d文字以内で入力してください。") % {"max": REASON_MAX})
    with transaction.atomic():
        locked = _locked(payment)
        if locked.status != expected_status:
            raise PaymentRefused(
                _("この手数料はすでに「%(status)s」です。画面を開き直して確かめてください。")
                % {"status": locked.get_status_display()}
            )
        if locked.status != allowed_from:
            raise PaymentRefused(refused)
        now = timezone.now()
        locked.status = to
        locked.save(update_fields=["status", "updated_at"])
        PaymentEvent.objects.create(
            payment=locked, kind=kind, amount=locked.amount, note=reason, actor=actor, at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.PAYMENT,
            municipality=locked.municipality,
            obj=locked,
        )
    return locked


def _mark_paid(
    payment: Payment, *, provider: str, reference: str, actor: StaffUser | None, at: Any
) -> None:
    payment.status = PaymentStatus.PAID
    payment.provider = provider
    payment.reference = reference
    payment.paid_at = at
    # The checkout reference keeps finding the payment until it expires: a repeated submit
    # of the card page then shows "paid" rather than an invalid link.
    payment.save()
    PaymentEvent.objects.create(
        payment=payment,
        kind=PaymentEvent.Kind.PAID,
        amount=payment.amount,
        provider=provider,
        reference=reference,
        actor=actor,
        at=at,
    )
