"""Resident pages of a fee: start an online payment, the test card page, the result.

The application is the one this browser just submitted (the completion page) or opened on the
status page with its receipt number and access code: never an id from a URL. The test card
page's address carries only the checkout's random reference (redacted in the access log).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from madoguchi.core import ratelimit
from madoguchi.tenancy.middleware import request_municipality

from .. import status_session
from ..models import Application
from . import selectors, services
from .models import PaymentStatus

PAID_SESSION_KEY = "applications_payment_done"
CARD_FIELDS = ("card_number", "card_expiry", "card_cvc", "card_name")


def _resident_application(request: HttpRequest, source: str) -> Application | None:
    municipality = request_municipality(request)
    if source == "status":
        return status_session.opened_application(request, municipality=municipality)
    completed = request.session.get("completed") or {}
    receipt_number = completed.get("receipt_number")
    if not isinstance(receipt_number, str):
        return None
    return (
        Application.objects.for_municipality(municipality)
        .filter(receipt_number=receipt_number)
        .first()
    )


def _back(request: HttpRequest, source: str) -> HttpResponse:
    code = request_municipality(request).code
    if source == "status":
        return redirect("applications:status", code)
    return redirect("applications:apply_complete", code)


@require_POST
@never_cache
@ratelimit.limit("applications.pay.client")
def pay_start(request: HttpRequest) -> HttpResponse:
    source = "status" if request.POST.get("source") == "status" else "complete"
    application = _resident_application(request, source)
    payment = (
        selectors.application_payment(
            application_id=application.pk, municipality_id=application.municipality_id
        )
        if application is not None
        else None
    )
    if application is None or payment is None:
        messages.warning(
            request,
            _("お支払いする申請が見つかりませんでした。受付番号と確認コードで開き直してください。"),
        )
        return redirect("applications:status", request_municipality(request).code)
    try:
        started = services.payment_checkout_start(
            payment=payment, provider_key=request.POST.get("provider", "")[:32]
        )
    except services.PaymentRefused as exc:
        messages.error(request, exc.message)
        return _back(request, source)
    return redirect(started.url)


@never_cache
@sensitive_post_parameters(*CARD_FIELDS)
@ratelimit.limit("applications.pay.client")
def pay_test_card(request: HttpRequest, token: str) -> HttpResponse:
    municipality = request_municipality(request)
    payment = services.payment_for_checkout(municipality_id=municipality.pk, reference=token)
    if payment is None or payment.provider != "test_card":
        return render(request, "applications/pay_invalid.html", status=404)
    error = ""
    status = 200
    if payment.status == PaymentStatus.PAID:
        return _paid(request, payment.application)
    if request.method == "POST":
        # Read once to decide and dropped: never stored, logged or put back into the page.
        result = services.payment_checkout_confirm(
            payment=payment,
            reference=token,
            data={"card_number": request.POST.get("card_number", "")[:40]},
        )
        if result.paid:
            return _paid(request, payment.application)
        error, status = result.message, 400
    return render(
        request,
        "applications/pay_card.html",
        {
            "payment": payment,
            "procedure": payment.application.procedure,
            "fee": selectors.payment_view(payment),
            "error": error,
        },
        status=status,
    )


def _paid(request: HttpRequest, application: Application) -> HttpResponse:
    request.session[PAID_SESSION_KEY] = application.receipt_number
    return redirect("applications:pay_done", request_municipality(request).code)


@never_cache
def pay_done(request: HttpRequest) -> HttpResponse:
    municipality = request_municipality(request)
    receipt_number = request.session.get(PAID_SESSION_KEY)
    application = (
        Application.objects.for_municipality(municipality)
        .select_related("procedure")
        .filter(receipt_number=receipt_number)
        .first()
        if isinstance(receipt_number, str)
        else None
    )
    if application is None:
        return redirect("applications:home", municipality.code)
    payment = selectors.application_payment(
        application_id=application.pk, municipality_id=municipality.pk
    )
    return render(
        request,
        "applications/pay_done.html",
        {"application": application, "payment": selectors.payment_view(payment)},
    )
