"""Resident pages of a visit's pre-input (one visit, several procedures; docs/preinput.md).

The resident picks the procedures of a life event to pre-fill; each runs the online journey in
the "visit" mode (same steps, forms, validation). When one is checked, what it shares
(applicant by role, household) is kept and pre-fills the next one; after the last, one pre-input
carries them all in one QR code (token or payload, as the municipality chose). The progress
waits in the session sealed; no token or answer is ever in a URL.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from madoguchi.applications import services as application_services
from madoguchi.applications import views as journey
from madoguchi.applications.models import Draft
from madoguchi.core import sealing
from madoguchi.procedures.formdef import summarize, visible_steps
from madoguchi.procedures.models import LifeEvent, Procedure
from madoguchi.procedures.selectors import (
    form_version_current,
    form_version_definition,
    life_event_get,
    life_event_procedures,
    procedure_get,
)
from madoguchi.tenancy.middleware import request_municipality

from . import preinput_views, services
from .models import PreInputMode
from .preinput import qr
from .visit import shared_extract, shared_merge, shared_prefill

MODE = "visit"
STATE_PURPOSE = "counter.session-visit"
TOKEN_PURPOSE = "counter.session-visit-token"  # noqa: S105 - a key purpose, not a secret


def _key(request: HttpRequest, what: str) -> str:
    return f"preinput-visit-{what}:{request_municipality(request).code}"


def _state(request: HttpRequest) -> dict[str, Any] | None:
    sealed = request.session.get(_key(request, "state"))
    if not sealed:
        return None
    try:
        state = json.loads(sealing.unseal(sealed, purpose=STATE_PURPOSE))
    except sealing.SealBroken:
        return None
    return state if isinstance(state, dict) else None


def _save_state(request: HttpRequest, state: dict[str, Any]) -> None:
    text = json.dumps(state, ensure_ascii=False)
    request.session[_key(request, "state")] = sealing.seal(text, purpose=STATE_PURPOSE)


def _offered(life_event: LifeEvent) -> list[Procedure]:
    return [p for p in life_event_procedures(life_event=life_event) if p.counter_preinput]


@never_cache
def visit_start(request: HttpRequest, event: str) -> HttpResponse:
    """Choose the procedures of a life event to pre-fill together."""
    life_event = life_event_get(municipality=request_municipality(request), slug=event)
    offered = _offered(life_event)
    status = 200
    if request.method == "POST":
        picked = request.POST.getlist("procedure")
        chosen = [p.slug for p in offered if p.slug in picked]
        if chosen:
            state = {"event": event, "queue": chosen, "items": [], "shared": {}}
            return _begin_next(request, state)
        messages.error(request, _("入力する手続を1つ以上選んでください。"))
        status = 400
    return render(
        request,
        "counter/visit_start.html",
        {"life_event": life_event, "procedures": offered},
        status=status,
    )


def _begin_next(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    """Start the journey of the next procedure, pre-filled from what the visit shares."""
    municipality = request_municipality(request)
    procedure = procedure_get(municipality=municipality, slug=state["queue"][0])
    version = form_version_current(procedure=procedure)
    definition = form_version_definition(form_version=version)
    prefill = shared_prefill(
        definition, procedure.slug, state["shared"], today=timezone.localdate()
    )
    draft = application_services.draft_start(procedure=procedure, form_version=version)
    if prefill:
        application_services.draft_save_unfinished_step(
            draft=draft, step_key="", raw_answers=prefill
        )
    steps = visible_steps(definition, draft.answers)
    journey.journey_begin(
        request,
        procedure,
        draft,
        mode=MODE,
        prefilled_steps=[s.key for s in steps if any(f.key in prefill for f in s.fields)],
    )
    _save_state(request, state)
    if prefill:
        messages.info(
            request,
            _(
                "{procedure}：前の手続で入力した内容（申請者・住所・世帯）を入れてあります。"
                "確かめて、足りないところを入力してください。"
            ).format(procedure=procedure.display_name),
        )
    return redirect("applications:apply_step", municipality.code, procedure.slug, steps[0].key)


def _finish(
    request: HttpRequest, procedure: Procedure, draft: Draft, answers: dict[str, Any]
) -> HttpResponse:
    """One procedure of the visit is checked: keep it and what it shares, go on to the next;
    after the last, issue the visit's pre-input."""
    state = _state(request)
    if state is None or not state["queue"] or state["queue"][0] != procedure.slug:
        # The visit's progress is gone (another browser tab started over): this one alone.
        return journey.JOURNEY_FINISHERS[preinput_views.MODE](request, procedure, draft, answers)
    definition = form_version_definition(form_version=draft.form_version)
    state["items"].append(
        {
            "procedure": procedure.slug,
            "form_version": draft.form_version.pk,
            "answers": services.without_attachments(answers),
        }
    )
    state["shared"] = shared_merge(
        state["shared"], shared_extract(definition, procedure.slug, answers)
    )
    state["queue"].pop(0)
    application_services.attachment_files_discard(draft.attachments.all())
    draft.delete()
    if state["queue"]:
        return _begin_next(request, state)
    municipality = request_municipality(request)
    issued = services.visit_preinput_finish(
        municipality=municipality,
        life_event_slug=state["event"],
        items=state["items"],
        shared=state["shared"],
    )
    request.session.pop(_key(request, "state"), None)
    remember_result(
        request.session,
        municipality.code,
        state["event"],
        [i["procedure"] for i in state["items"]],
        issued,
    )
    return redirect("counter:visit_result", municipality.code, state["event"])


journey.JOURNEY_FINISHERS[MODE] = _finish


def remember_result(
    session: SessionBase,
    municipality_code: str,
    event: str,
    procedures: list[str],
    issued: services.PreInputIssued,
) -> None:
    """Keep what the visit's QR page needs in the resident's session (token sealed)."""
    session[f"preinput-visit-result:{municipality_code}"] = {
        "event": event,
        "procedures": procedures,
        "mode": issued.mode,
        "token": sealing.seal(issued.token, purpose=TOKEN_PURPOSE) if issued.token else "",
        "texts": issued.qr_texts if issued.mode == PreInputMode.PAYLOAD else [],
        "expires_at": issued.expires_at.isoformat(),
    }


def _result(request: HttpRequest, event: str) -> dict[str, Any] | None:
    found = request.session.get(_key(request, "result"))
    return found if isinstance(found, dict) and found.get("event") == event else None


def _token(result: dict[str, Any]) -> str:
    try:
        return sealing.unseal(result["token"], purpose=TOKEN_PURPOSE) if result["token"] else ""
    except sealing.SealBroken:
        return ""


def _texts(request: HttpRequest, result: dict[str, Any]) -> list[str]:
    if result["mode"] == PreInputMode.PAYLOAD:
        return list(result["texts"])
    token = _token(result)
    return [services.visit_token_text(request_municipality(request), token)] if token else []


def _missing(request: HttpRequest, event: str) -> HttpResponse:
    messages.warning(request, _("まとめて入力した事前入力が見つかりませんでした。"))
    return redirect("counter:visit_start", request_municipality(request).code, event)


@never_cache
def visit_result(request: HttpRequest, event: str) -> HttpResponse:
    life_event = life_event_get(municipality=request_municipality(request), slug=event)
    result = _result(request, event)
    texts = _texts(request, result) if result else []
    if result is None or not texts:
        return _missing(request, event)
    code = request_municipality(request).code
    codes = preinput_views.qr_codes(
        texts,
        lambda n: reverse(
            "counter:visit_png",
            kwargs={"municipality_code": code, "event": event, "number": n},
        ),
    )
    names = {p.slug: p for p in life_event_procedures(life_event=life_event)}
    return render(
        request,
        "counter/visit_result.html",
        {
            "life_event": life_event,
            "procedures": [names[s] for s in result["procedures"] if s in names],
            "codes": codes,
            "total": len(texts),
            "mode": result["mode"],
            "expires_at": parse_datetime(result["expires_at"]),
        },
    )


@never_cache
def visit_view(request: HttpRequest, event: str) -> HttpResponse:
    """The resident's answers of each procedure of the visit: token mode from the server's record;
    a payload is only in the QR code, so (as for one procedure) it cannot be shown here."""
    municipality = request_municipality(request)
    life_event = life_event_get(municipality=municipality, slug=event)
    result = _result(request, event)
    if result is None:
        return _missing(request, event)
    names = {p.slug: p for p in life_event_procedures(life_event=life_event)}
    context: dict[str, Any] = {
        "life_event": life_event,
        "mode": result["mode"],
        "procedures": [names[s] for s in result["procedures"] if s in names],
        "items": [],
    }
    if result["mode"] == PreInputMode.TOKEN:
        visit = services.visit_preinput_for_resident(
            municipality=municipality, token=_token(result)
        )
        items = (
            services.visit_preinput_items(municipality=municipality, visit=visit) if visit else []
        )
        if visit is None or not items:
            request.session.pop(_key(request, "result"), None)
            return _missing(request, event)
        context["items"] = [
            {
                "procedure": item.procedure,
                "sections": summarize(
                    form_version_definition(form_version=item.form_version), item.answers
                ),
            }
            for item in items
        ]
        context["expires_at"] = visit.expires_at
    return render(request, "counter/visit_view.html", context)


@never_cache
def visit_png(request: HttpRequest, event: str, number: int) -> HttpResponse:
    result = _result(request, event)
    texts = _texts(request, result) if result else []
    if not 1 <= number <= len(texts):
        raise Http404
    response = HttpResponse(qr.png(texts[number - 1]), content_type="image/png")
    name = f"preinput-{event}-{number}-of-{len(texts)}.png"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def visit_delete(request: HttpRequest, event: str) -> HttpResponse:
    result = _result(request, event)
    request.session.pop(_key(request, "result"), None)
    if result is not None and result["mode"] == PreInputMode.TOKEN:
        services.visit_preinput_delete(
            municipality=request_municipality(request), token=_token(result)
        )
        messages.success(request, _("事前入力を削除しました。QRコードはもう使えません。"))
    else:
        messages.success(
            request,
            _(
                "この端末から事前入力のQRコードを消しました。入力内容はもともと市役所のサーバーには"
                "保存されていません。印刷や保存したQRコードがあれば、破棄してください。"
            ),
        )
    return redirect("applications:life_event", request_municipality(request).code, event)
