"""Printed official forms: counter staff print an application for signature; a resident
downloads theirs after opening it on the status page (access code)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from madoguchi.accounts.access import staff_user
from madoguchi.accounts.guard import audit_object, staff_required
from madoguchi.applications import status_session
from madoguchi.applications.models import Application
from madoguchi.core import ratelimit
from madoguchi.tenancy.middleware import request_municipality

from . import selectors, services
from .print import LayoutError, MissingGlyphs

PRINT = "counter.print_application"


def _pdf_response(
    request: HttpRequest, application: Application, *, attachment: bool, staff: bool
) -> HttpResponse:
    try:
        pdf = selectors.application_pdf(application=application)
    except MissingGlyphs as exc:
        return render(
            request,
            "counter/print_refused.html",
            {
                "application": application,
                "missing": [
                    (field, [(c, f"U+{ord(c):04X}") for c in chars])
                    for field, chars in exc.by_field().items()
                ],
                "staff": staff,
            },
            status=422,
        )
    except LayoutError as exc:
        return render(
            request,
            "counter/print_refused.html",
            {"application": application, "layout_error": str(exc), "staff": staff},
            status=422,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The receipt number names the file: no personal data in it.
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{application.receipt_number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required(PRINT, personal_data=True)
def staff_print(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.access_printable_application(
        user=staff_user(request), application_id=pk
    )
    audit_object(request, application)
    response = _pdf_response(request, application, attachment=False, staff=True)
    if response.status_code == 200:
        services.counter_print_record(application=application)
    return response


@never_cache
@ratelimit.limit("counter.print.client", methods=("GET",))
def status_pdf(request: HttpRequest) -> HttpResponse:
    municipality = request_municipality(request)
    application = status_session.opened_application(request, municipality=municipality)
    if application is None or application.is_purged:
        return render(request, "counter/status_pdf_expired.html", status=404)
    return _pdf_response(request, application, attachment=True, staff=False)
