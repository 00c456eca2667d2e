"""The resident's side of the 補正 loop: a secret link opens a form with only the named fields."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from madoguchi.core import ratelimit
from madoguchi.procedures.formdef import Step, StepForm, set_answer
from madoguchi.procedures.selectors import form_version_definition
from madoguchi.tenancy.middleware import request_municipality

from . import services, status_session, throttle, workflow
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
    """As a step of the online journey: a file that passes its own checks is stored at once
    (held for this correction, see workflow.correction_hold_start) whatever else fails, and
    shown as attached until the resident re-sends. Every POST counts against the client's
    upload limit (it may send mail; a guessed link is refused as often), each file once more."""
    application = found.application
    definition = form_version_definition(form_version=application.form_version)
    step = Step(
        key="correction",
        title=str(_("補正する項目")),
        fields=tuple(definition.field(key) for key in found.field_keys),
    )
    errors: dict[str, list[str]] = {}
    status = 200
    hold = workflow.correction_hold(correction=found)
    answers = {**application.answers, **(hold.answers if hold else {})}
    if request.method == "POST":
        form = StepForm(definition, step, data=request.POST, files=request.FILES, answers=answers)
        action = request.POST.get("_action", "submit")
        if action != "submit":
            form.handle_action(action)  # add/remove a group item, postal code look-up
            form.full_clean()  # read the form as the button left it
        uploads = form.accepted_uploads()
        hold = hold or workflow.correction_hold_start(correction=found)
        refused = throttle.upload_refusal(request=request, draft=hold, paths=list(uploads))
        if refused:
            messages.error(request, refused.message)
            status = refused.status
        else:
            stored = {
                path: services.attachment_store(draft=hold, field_path=path, uploaded=uploaded)
                for path, uploaded in uploads.items()
            }
            if action == "submit" and form.is_valid():
                new_values = form.step_answers()
                for path, ref in stored.items():
                    set_answer(new_values, path, ref)
                try:
                    workflow.correction_resubmit(correction=found, new_values=new_values)
                except SubmissionInvalid as exc:
                    errors = exc.errors
                else:
                    request.session["correction_done"] = application.receipt_number
                    return redirect(
                        "applications:correction_done", request_municipality(request).code
                    )
            workflow.correction_hold_keep(hold=hold, raw_answers=form.raw_answers(stored))
            form.adopt({**application.answers, **hold.answers})
    else:
        form = StepForm(definition, step, answers=answers)
        if hold is not None and hold.answers:
            form.revalidate_saved()  # sent earlier with errors: say again what needs fixing
    return render(
        request,
        "applications/correction.html",
        {"application": application, "correction": found, "form": form, "errors": errors},
        status=status,
    )


@never_cache
def correction_done(request: HttpRequest) -> HttpResponse:
    receipt_number = request.session.pop("correction_done", None)
    if receipt_number is None:
        return redirect("applications:status", request_municipality(request).code)
    return render(request, "applications/correction_done.html", {"receipt_number": receipt_number})
