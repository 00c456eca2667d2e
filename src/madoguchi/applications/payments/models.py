"""An application's payment record and its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import TenantOwned

from .providers import provider_for


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("未払い")
    PAID = "paid", _("支払済み")
    REFUNDED = "refunded", _("返金済み")
    WAIVED = "waived", _("免除")


class Payment(TenantOwned):
    """What an application owes, kept as computed when it was made (answers may change later)."""

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="payment",
        verbose_name=_("申請"),
    )
    amount = models.PositiveIntegerField(_("金額（円）"))
    # The fee quote (procedures.formdef.fees.FeeQuote.as_json): lines, exemption.
    quote = models.JSONField(_("手数料の内訳"), default=dict)
    status = models.CharField(
        _("支払状況"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    provider = models.CharField(_("支払方法"), max_length=32, blank=True)
    reference = models.CharField(_("支払の参照番号"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("支払日時"), null=True, blank=True)
    # An online checkout in progress: the keyed hash of its reference (the URL holds the
    # reference itself) and when it stops working.
    checkout_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    checkout_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("手数料の支払")
        verbose_name_plural = _("手数料の支払")
        indexes = [models.Index(fields=["municipality", "status"], name="payment_status_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.amount} {self.status}"


class PaymentEvent(models.Model):
    """One line of a payment's history: who (staff) or which provider, when, what."""

    class Kind(models.TextChoices):
        CHARGED = "charged", _("手数料を計算しました")
        CHECKOUT_STARTED = "checkout_started", _("オンライン支払を始めました")
        DECLINED = "declined", _("支払ができませんでした")
        PAID = "paid", _("支払を受けました")
        WAIVED = "waived", _("免除しました")
        REFUNDED = "refunded", _("返金しました")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    amount = models.PositiveIntegerField(default=0)
    provider = models.CharField(max_length=32, blank=True)
    reference = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("支払の履歴")
        verbose_name_plural = _("支払の履歴")

    def __str__(self) -> str:
        return f"{self.payment_id} {self.kind}"

    @property
    def provider_label(self) -> str:
        provider = provider_for(self.provider)
        return str(provider.label) if provider else self.provider
