"""Back office: record a fee paid at the counter, a refund or a waiver (the application's page
shows the history and the forms)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import staff_required
from madoguchi.accounts.permissions import RECORD_PAYMENT

from .. import staff_scope
from . import selectors, services
from .models import Payment


def _payment(request: HttpRequest, pk: int) -> Payment:
    application = staff_scope.access_application(user=staff_user(request), application_id=pk)
    payment = selectors.application_payment(
        application_id=application.pk, municipality_id=application.municipality_id
    )
    if payment is None:
        raise Http404
    return payment


def _expected(request: HttpRequest) -> str:
    return request.POST.get("status", "")[:16]


@require_POST
@staff_required("applications.view_application", RECORD_PAYMENT, personal_data=False)
def mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    try:
        services.payment_mark_paid(
            payment=payment, actor=staff_user(request), expected_status=_expected(request)
        )
    except services.PaymentRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("窓口での支払を記録しました。"))
    return redirect("applications_staff:detail", pk=pk)


def _settle(
    request: HttpRequest, pk: int, settle: Callable[..., Payment], done: str
) -> HttpResponse:
    """A refund or a waiver: the service checks the transition and the reason."""
    try:
        settle(
            payment=_payment(request, pk),
            actor=staff_user(request),
            expected_status=_expected(request),
            reason=request.POST.get("reason", ""),
        )
    except services.PaymentRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("applications_staff:detail", pk=pk)


@require_POST
@staff_required("applications.view_application", RECORD_PAYMENT, personal_data=False)
def refund(request: HttpRequest, pk: int) -> HttpResponse:
    return _settle(request, pk, services.payment_refund, _("返金を記録しました。"))


@require_POST
@staff_required("applications.view_application", RECORD_PAYMENT, personal_data=False)
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    return _settle(request, pk, services.payment_waive, _("手数料の免除を記録しました。"))
