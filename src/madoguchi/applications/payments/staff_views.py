"""Back office: record a fee paid at the counter (the detail page shows the history)."""

from __future__ import annotations

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


@require_POST
@staff_required("applications.view_application", RECORD_PAYMENT, personal_data=False)
def mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    application = staff_scope.access_application(user=user, application_id=pk)
    payment = selectors.application_payment(
        application_id=application.pk, municipality_id=application.municipality_id
    )
    if payment is None:
        raise Http404
    try:
        services.payment_mark_paid(
            payment=payment, actor=user, expected_status=request.POST.get("status", "")[:16]
        )
    except services.PaymentRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("窓口での支払を記録しました。"))
    return redirect("applications_staff:detail", pk=pk)
