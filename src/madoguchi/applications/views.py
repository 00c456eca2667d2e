"""Resident pages: catalogue, the online application journey and the status page.

Every page works without JavaScript. Drafts are tied to the browser session; a resume link
(a secret token, never personal data) lets a resident continue elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from madoguchi.core import params, ratelimit, sealing
from madoguchi.core.localized_text import easy_japanese_chosen
from madoguchi.procedures.formdef import (
    build_step_form,
    fee_quote,
    set_answer,
    summarize,
    validate_answers,
    visible_steps,
)
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.selectors import (
    category_counts,
    form_version_current,
    form_version_definition,
    life_event_get,
    life_event_list,
    life_event_procedures,
    procedure_get,
    procedure_list,
)
from madoguchi.tenancy.middleware import request_municipality

from . import selectors, services, status_session, throttle, workflow
from .models import Application, Draft
from .payments import selectors as payment_selectors


def _draft_key(request: HttpRequest, slug: str) -> str:
    return f"draft:{request_municipality(request).code}:{slug}"


# --- Journey modes ----------------------------------------------------------------------------
# Another app runs this same journey (same steps, forms and validation) to a different end: the
# counter's pre-input (counter/preinput_views.py, docs/preinput.md). It registers a finisher
# under a mode name and starts the draft with `journey_begin`; the check page then validates as
# usual and, instead of submitting an application, hands the cleaned answers to the finisher.
JourneyFinisher = Callable[[HttpRequest, Procedure, Draft, dict[str, Any]], HttpResponse]
JOURNEY_FINISHERS: dict[str, JourneyFinisher] = {}


def journey_begin(
    request: HttpRequest,
    procedure: Procedure,
    draft: Draft,
    *,
    mode: str,
    prefilled_steps: Iterable[str] = (),
) -> None:
    """Make `draft` the session's journey for `procedure`, ending in the finisher of `mode`.

    `prefilled_steps`: steps holding answers the journey brought in (another procedure of the
    same visit), shown without errors until the resident sends them once."""
    request.session[_draft_key(request, procedure.slug)] = draft.pk
    request.session[f"journey-mode:{draft.pk}"] = mode
    request.session[_prefilled_key(draft)] = list(prefilled_steps)


def _prefilled_key(draft: Draft) -> str:
    return f"journey-prefilled:{draft.pk}"


def journey_mode(request: HttpRequest, draft: Draft) -> str:
    mode = request.session.get(f"journey-mode:{draft.pk}", "")
    return mode if mode in JOURNEY_FINISHERS else ""


def _session_draft(request: HttpRequest, procedure: Procedure) -> Draft | None:
    draft_id = request.session.get(_draft_key(request, procedure.slug))
    if draft_id is None:
        return None
    return (
        Draft.objects.for_municipality(request_municipality(request))
        .select_related("form_version", "procedure", "submitted_application")
        .filter(pk=draft_id, procedure=procedure)
        .first()
    )


def home(request: HttpRequest) -> HttpResponse:
    municipality = request_municipality(request)
    query = request.GET.get("q", "")[:100].strip()
    category = request.GET.get("category", "")
    procedures = list(procedure_list(municipality=municipality, query=query, category=category))
    return render(
        request,
        "applications/home.html",
        {
            "procedures": procedures,
            "query": query,
            "category": category,
            "categories": category_counts(municipality=municipality),
            "life_events": life_event_list(municipality=municipality),
        },
    )


def life_event(request: HttpRequest, slug: str) -> HttpResponse:
    event = life_event_get(municipality=request_municipality(request), slug=slug)
    return render(
        request,
        "applications/life_event.html",
        {"life_event": event, "procedures": life_event_procedures(life_event=event)},
    )


def logo(request: HttpRequest) -> FileResponse:
    municipality = request_municipality(request)
    if not municipality.logo:
        raise Http404
    return FileResponse(municipality.logo.open("rb"))


def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = procedure_get(municipality=request_municipality(request), slug=slug)
    return render(
        request,
        "applications/procedure.html",
        {"procedure": procedure, "has_draft": _open_draft(request, procedure)},
    )


@require_POST
def apply_start(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = procedure_get(municipality=request_municipality(request), slug=slug)
    if not procedure.online:
        raise Http404
    draft = _session_draft(request, procedure)
    # A submitted draft only says "received": starting again is a new application.
    if draft is None or draft.submitted_application_id or request.POST.get("restart"):
        draft = services.draft_start(
            procedure=procedure, form_version=form_version_current(procedure=procedure)
        )
        request.session[_draft_key(request, slug)] = draft.pk
    first = visible_steps(form_version_definition(form_version=draft.form_version), draft.answers)[
        0
    ]
    return redirect("applications:apply_step", request_municipality(request).code, slug, first.key)


def _journey(request: HttpRequest, slug: str) -> tuple[Procedure, Draft] | HttpResponse:
    procedure = procedure_get(municipality=request_municipality(request), slug=slug)
    draft = _session_draft(request, procedure)
    if draft is None:
        messages.warning(
            request,
            _("入力の途中の内容が見つかりませんでした。お手数ですが、最初から入力してください。"),
        )
        return redirect("applications:procedure", request_municipality(request).code, slug)
    if draft.submitted_application is not None:
        return _received(request, procedure, draft.submitted_application)
    return procedure, draft


def _open_draft(request: HttpRequest, procedure: Procedure) -> bool:
    draft = _session_draft(request, procedure)
    return draft is not None and draft.submitted_application_id is None


def _received(request: HttpRequest, procedure: Procedure, application: Application) -> HttpResponse:
    """The page for a draft already submitted (Back button, repeated or parallel POST).

    Only the browser session that submitted it still holds the access code (it is stored
    hashed): anyone else with this draft (a resume link) sees the receipt number only.
    """
    completed = request.session.get("completed") or {}
    own = completed.get("receipt_number") == application.receipt_number
    return render(
        request,
        "applications/received.html",
        {
            "procedure": procedure,
            "receipt_number": application.receipt_number,
            "access_code": completed.get("access_code", "") if own else "",
        },
    )


@never_cache
@ratelimit.declare("applications.upload.client")
def apply_step(request: HttpRequest, slug: str, step_key: str) -> HttpResponse:
    found = _journey(request, slug)
    if isinstance(found, HttpResponse):
        return found
    procedure, draft = found
    code = request_municipality(request).code
    definition = form_version_definition(form_version=draft.form_version)
    steps = visible_steps(definition, draft.answers)
    keys = [s.key for s in steps]
    if step_key not in keys:
        raise Http404
    index = keys.index(step_key)
    status = 200
    prefilled = request.session.get(_prefilled_key(draft), [])
    if request.method == "POST":
        if step_key in prefilled:
            request.session[_prefilled_key(draft)] = [k for k in prefilled if k != step_key]
        form = build_step_form(
            definition, step_key, data=request.POST, files=request.FILES, answers=draft.answers
        )
        action = request.POST.get("_action", "next")
        if action not in {"next", "save"}:
            form.handle_action(action)  # add/remove a group item, look up a postal code
            form.full_clean()  # read the form as the button left it
        uploads = form.accepted_uploads()
        refused = throttle.upload_refusal(request=request, draft=draft, paths=list(uploads))
        if refused:
            messages.error(request, refused.message)
            status = refused.status
        else:
            # Files that passed their checks are kept whatever else is wrong on the page.
            stored = {
                path: services.attachment_store(draft=draft, field_path=path, uploaded=uploaded)
                for path, uploaded in uploads.items()
            }
            if action in {"next", "save"} and form.is_valid():
                step_answers = form.step_answers()
                for path, ref in stored.items():
                    set_answer(step_answers, path, ref)
                services.draft_save_step(draft=draft, step_key=step_key, step_answers=step_answers)
            else:
                services.draft_save_unfinished_step(
                    draft=draft, step_key=step_key, raw_answers=form.raw_answers(stored)
                )
                form.adopt(draft.answers)
            if action == "save":
                link = services.draft_resume_link(
                    draft=draft,
                    base_url=request.build_absolute_uri("/"),
                    known_url=_remembered_resume_link(request, draft),
                )
                _remember_resume_link(request, draft, link.url)
                if link.replaced:
                    messages.warning(request, _("以前にお知らせしたリンクは使えなくなりました。"))
                return redirect("applications:apply_saved", code, slug)
            if action == "next" and form.is_valid():
                steps = visible_steps(definition, draft.answers)
                keys = [s.key for s in steps]
                later = keys[keys.index(step_key) + 1 :] if step_key in keys else []
                if later and request.POST.get("_return") != "check":
                    return redirect("applications:apply_step", code, slug, later[0])
                return redirect("applications:apply_check", code, slug)
    else:
        form = build_step_form(definition, step_key, answers=draft.answers)
        if step_key not in prefilled and step_key in selectors.draft_unfinished_steps(
            draft=draft, steps=[steps[index]]
        ):
            form.revalidate_saved()  # saved unfinished: say now what needs fixing
    return render(
        request,
        "applications/step.html",
        {
            "procedure": procedure,
            "form": form,
            "step": steps[index],
            "steps": steps,
            "step_number": index + 1,
            "previous": steps[index - 1] if index > 0 else None,
            "returning": request.GET.get("return") == "check" or request.POST.get("_return"),
            "journey_mode": journey_mode(request, draft),
        },
        status=status,
    )


@never_cache
@ratelimit.limit("applications.submit.client")
def apply_check(request: HttpRequest, slug: str) -> HttpResponse:
    found = _journey(request, slug)
    if isinstance(found, HttpResponse):
        return found
    procedure, draft = found
    definition = form_version_definition(form_version=draft.form_version)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    mode = journey_mode(request, draft)
    if request.method == "POST" and mode:
        cleaned, errors = validate_answers(definition, draft.answers)
        if not errors:
            return JOURNEY_FINISHERS[mode](request, procedure, draft, cleaned)
    elif request.method == "POST":
        try:
            submitted = services.application_submit(
                municipality=request_municipality(request),
                procedure=procedure,
                form_version=draft.form_version,
                draft=draft,
                easy_japanese=easy_japanese_chosen(request),
            )
        except services.SubmissionInvalid as exc:
            errors = exc.errors
        else:
            if submitted.replayed:
                # A parallel request submitted this draft first; its page holds the access
                # code. The session is left untouched so as not to overwrite what it saves.
                return redirect(
                    "applications:apply_check", request_municipality(request).code, slug
                )
            # The draft stays in the session: Back shows that it was received (see _journey).
            request.session["completed"] = {
                "receipt_number": submitted.application.receipt_number,
                "access_code": submitted.access_code,
                "procedure": procedure.display_name,
                "email": bool(submitted.application.contact_email),
                "processing_days": procedure.standard_processing_days,
            }
            return redirect("applications:apply_complete", request_municipality(request).code)
    else:
        cleaned, errors = validate_answers(definition, draft.answers)
    if not cleaned and definition.fees is not None:  # a refused submission: still show the fee
        cleaned, _refused = validate_answers(definition, draft.answers)
    steps = visible_steps(definition, draft.answers)
    return render(
        request,
        "applications/check.html",
        {
            "procedure": procedure,
            "sections": summarize(definition, draft.answers),
            "errors": errors,
            "steps": steps,
            "step_number": len(steps) + 1,
            "journey_mode": mode,
            "fee": payment_selectors.fee_view(fee_quote(definition.fees, cleaned)),
        },
    )


# The resume link shown on the "saved" page is kept in the session sealed, so the session store
# (a database table) holds no usable link at rest.
RESUME_LINK_PURPOSE = "applications.session-resume-link"


def _remember_resume_link(request: HttpRequest, draft: Draft, url: str) -> None:
    request.session[f"resume:{draft.pk}"] = sealing.seal(url, purpose=RESUME_LINK_PURPOSE)


def _remembered_resume_link(request: HttpRequest, draft: Draft) -> str | None:
    sealed = request.session.get(f"resume:{draft.pk}")
    if not sealed:
        return None
    try:
        return sealing.unseal(sealed, purpose=RESUME_LINK_PURPOSE)
    except sealing.SealBroken:  # sealed under a key no longer configured
        return None


@never_cache
@ratelimit.declare("applications.resume_mail.address", "applications.resume_mail.client")
def apply_saved(request: HttpRequest, slug: str) -> HttpResponse:
    found = _journey(request, slug)
    if isinstance(found, HttpResponse):
        return found
    procedure, draft = found
    url = _remembered_resume_link(request, draft)
    if url is None:
        return redirect("applications:procedure", request_municipality(request).code, slug)
    email_error = ""
    if request.method == "POST":
        email = params.parse_email(request.POST.get("email", ""))
        if email is None:
            email_error = _("メールアドレスを「example@example.jp」の形で入力してください。")
        else:
            if not throttle.resume_mail_allowed(request=request, email=email):
                return ratelimit.too_many(request, throttle.resume_mail_refused_message())
            # The link on the screen, mailed: both are the same and keep working.
            services.draft_resume_link_mail(draft=draft, url=url, email=email)
            messages.success(
                request,
                _(
                    "続きから入力するためのリンクをメールで送りました。"
                    "画面のリンクと同じもので、どちらも使えます。"
                ),
            )
            return redirect("applications:apply_saved", request_municipality(request).code, slug)
    definition = form_version_definition(form_version=draft.form_version)
    unfinished = selectors.draft_unfinished_steps(
        draft=draft, steps=visible_steps(definition, draft.answers)
    )
    return render(
        request,
        "applications/saved.html",
        {
            "procedure": procedure,
            "resume_url": url,
            "email_error": email_error,
            "draft": draft,
            "unfinished": bool(unfinished),
        },
    )


def resume(request: HttpRequest, token: str) -> HttpResponse:
    draft = selectors.draft_by_resume_token(municipality=request_municipality(request), token=token)
    if draft is None:
        return render(request, "applications/resume_invalid.html", status=404)
    request.session[_draft_key(request, draft.procedure.slug)] = draft.pk
    # Saving again from here shows (and keeps) this same link rather than a new one.
    _remember_resume_link(request, draft, request.build_absolute_uri(request.path))
    # Redirect at once so the secret token does not stay in the address bar.
    definition = form_version_definition(form_version=draft.form_version)
    steps = visible_steps(definition, draft.answers)
    pending = [s for s in steps if s.key not in draft.completed_steps]
    if pending:
        return redirect(
            "applications:apply_step",
            request_municipality(request).code,
            draft.procedure.slug,
            pending[0].key,
        )
    return redirect(
        "applications:apply_check", request_municipality(request).code, draft.procedure.slug
    )


@never_cache
def apply_complete(request: HttpRequest) -> HttpResponse:
    completed = request.session.get("completed")
    if completed is None:
        return redirect("applications:home", request_municipality(request).code)
    return render(
        request,
        "applications/complete.html",
        {
            "completed": completed,
            "payment": payment_selectors.payment_view(
                payment_selectors.receipt_payment(
                    municipality=request_municipality(request),
                    receipt_number=completed.get("receipt_number", ""),
                )
            ),
        },
    )


@never_cache
def status(request: HttpRequest) -> HttpResponse:
    municipality = request_municipality(request)
    context: dict[str, Any] = {"receipt_number": "", "error": ""}
    if request.method == "POST":
        receipt_number = request.POST.get("receipt_number", "")[:40]
        access_code = request.POST.get("access_code", "")[:40]
        context["receipt_number"] = receipt_number
        lookup = {"municipality_code": municipality.code, "receipt_number": receipt_number}
        if not throttle.lookup_allowed(request=request, **lookup):
            context["error"] = throttle.lookup_refused_message()
            return render(request, "applications/status.html", context, status=429)
        application = selectors.application_for_resident(
            municipality=municipality, receipt_number=receipt_number, access_code=access_code
        )
        if application is None:
            throttle.lookup_failed(request=request, **lookup)
            context["error"] = _(
                "受付番号または確認コードが違います。申請完了画面またはメールに書かれた番号を、"
                "もう一度確かめて入力してください。"
            )
            return render(request, "applications/status.html", context, status=400)
        status_session.remember_opened(request, application)
        context["application"] = application
        easy = easy_japanese_chosen(request)
        context["events"] = [
            (event, event.note_for(language=get_language() or "ja", easy=easy))
            for event in selectors.application_public_events(application=application)
        ]
        context["correction"] = workflow.correction_open_for(application=application)
        context["payment"] = payment_selectors.payment_view(
            payment_selectors.application_payment(
                application_id=application.pk, municipality_id=municipality.pk
            )
        )
    return render(request, "applications/status.html", context)
