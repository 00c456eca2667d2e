"""The resident's side of the 補正 loop: a secret link opens a form with only the named fields."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from madoguchi.core import ratelimit
from madoguchi.procedures.formdef import Step, StepForm
from madoguchi.procedures.selectors import form_version_definition
from madoguchi.tenancy.middleware import request_municipality

from . import status_session, workflow
from .models import CorrectionRequest
from .services import SubmissionInvalid


@never_cache
@ratelimit.limit("applications.upload.client")
def correction(request: HttpRequest, token: str) -> HttpResponse:
    """The correction form opened from the link in the resident's mail."""
    found = workflow.correction_for_token(municipality=request_municipality(request), token=token)
    if found is None:
        return render(request, "applications/correction_invalid.html", status=404)
    return _correction_form(request, found)


@never_cache
@ratelimit.limit("applications.upload.client")
def correction_from_status(request: HttpRequest) -> HttpResponse:
    """The same form for the application the resident opened on the status page (receipt
    number and access code) in the last 30 minutes: no link needed, nothing in the URL."""
    municipality = request_municipality(request)
    application = status_session.opened_application(request, municipality=municipality)
    found = workflow.correction_open_for(application=application) if application else None
    if found is None:
        return render(request, "applications/correction_invalid.html", status=404)
    return _correction_form(request, found)


def _correction_form(request: HttpRequest, found: CorrectionRequest) -> HttpResponse:
    application = found.application
    definition = form_version_definition(form_version=application.form_version)
    step = Step(
        key="correction",
        title=str(_("補正する項目")),
        fields=tuple(definition.field(key) for key in found.field_keys),
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = StepForm(
            definition, step, data=request.POST, files=request.FILES, answers=application.answers
        )
        action = request.POST.get("_action", "submit")
        if action != "submit":
            form.handle_action(action)  # add/remove a group item, postal code look-up
        elif form.is_valid():
            try:
                workflow.correction_resubmit(
                    correction=found,
                    new_values=form.step_answers(),
                    uploads=form.uploaded_files(),
                )
            except SubmissionInvalid as exc:
                errors = exc.errors
            else:
                request.session["correction_done"] = application.receipt_number
                return redirect("applications:correction_done", request_municipality(request).code)
    else:
        form = StepForm(definition, step, answers=application.answers)
    return render(
        request,
        "applications/correction.html",
        {"application": application, "correction": found, "form": form, "errors": errors},
    )


@never_cache
def correction_done(request: HttpRequest) -> HttpResponse:
    receipt_number = request.session.pop("correction_done", None)
    if receipt_number is None:
        return redirect("applications:status", request_municipality(request).code)
    return render(request, "applications/correction_done.html", {"receipt_number": receipt_number})
