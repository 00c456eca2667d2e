"""Resident pages of the pre-input (事前入力): the online journey run in pre-input mode.

The journey itself is applications/views.py (same steps, forms, validation); this module starts
it in the "preinput" mode and registers the finisher that turns the checked answers into a
pre-input instead of an application (docs/preinput.md). No token or answer is ever in a URL:
the token is kept sealed in the session, the page addresses are by procedure only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from madoguchi.applications import services as application_services
from madoguchi.applications import views as journey
from madoguchi.applications.models import Draft
from madoguchi.core import sealing
from madoguchi.procedures.formdef import summarize, visible_steps
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.selectors import (
    form_version_current,
    form_version_definition,
    procedure_get,
)
from madoguchi.tenancy.middleware import request_municipality

from . import services
from .models import PreInputMode
from .preinput import qr

MODE = "preinput"
TOKEN_PURPOSE = "counter.session-preinput-token"  # noqa: S105 - a key purpose, not a secret


def _result_key(request: HttpRequest, slug: str) -> str:
    return f"preinput:{request_municipality(request).code}:{slug}"


def remember_result(
    session: SessionBase, municipality_code: str, slug: str, issued: services.PreInputIssued
) -> None:
    """Keep what the result page needs in the resident's session (one pre-input per procedure)."""
    session[f"preinput:{municipality_code}:{slug}"] = {
        "mode": issued.mode,
        # Token mode: the token sealed (the session table holds nothing usable at rest).
        # Payload mode: the codes' texts, which are ciphertext under the municipality's key.
        "token": sealing.seal(issued.token, purpose=TOKEN_PURPOSE) if issued.token else "",
        "texts": issued.qr_texts if issued.mode == PreInputMode.PAYLOAD else [],
        "expires_at": issued.expires_at.isoformat(),
    }


def _preinput_procedure(request: HttpRequest, slug: str) -> Procedure:
    procedure = procedure_get(municipality=request_municipality(request), slug=slug)
    if not procedure.counter_preinput:
        raise Http404
    return procedure


@require_POST
def preinput_start(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _preinput_procedure(request, slug)
    draft = application_services.draft_start(
        procedure=procedure, form_version=form_version_current(procedure=procedure)
    )
    journey.journey_begin(request, procedure, draft, mode=MODE)
    return redirect(
        "applications:apply_step",
        request_municipality(request).code,
        slug,
        visible_steps(form_version_definition(form_version=draft.form_version), {})[0].key,
    )


def _finish(
    request: HttpRequest, procedure: Procedure, draft: Draft, answers: dict[str, Any]
) -> HttpResponse:
    """The journey's end in pre-input mode: issue the pre-input, forget the draft."""
    issued = services.preinput_issue(
        procedure=procedure, form_version=draft.form_version, answers=answers
    )
    application_services.attachment_files_discard(draft.attachments.all())
    draft.delete()
    remember_result(request.session, request_municipality(request).code, procedure.slug, issued)
    return redirect("counter:preinput_result", request_municipality(request).code, procedure.slug)


journey.JOURNEY_FINISHERS[MODE] = _finish


def _session_result(request: HttpRequest, slug: str) -> dict[str, Any] | None:
    found = request.session.get(_result_key(request, slug))
    return found if isinstance(found, dict) else None


def _token(result: dict[str, Any]) -> str:
    if not result.get("token"):
        return ""
    try:
        return sealing.unseal(result["token"], purpose=TOKEN_PURPOSE)
    except sealing.SealBroken:
        return ""


def result_texts(request: HttpRequest, result: dict[str, Any]) -> list[str]:
    """The QR texts of a pre-input kept in the session (also for the booking confirmation)."""
    return _texts(request, result)


def token_texts(request: HttpRequest, slugs: set[str]) -> list[str]:
    """The token-mode QR texts of the pre-inputs this browser made for these procedures (the
    booking confirmation mail carries them; a payload's texts never go into a mail)."""
    texts = []
    for slug in sorted(slugs):
        result = _session_result(request, slug)
        if result is not None and result.get("mode") == PreInputMode.TOKEN:
            texts += _texts(request, result)
    return texts


def _texts(request: HttpRequest, result: dict[str, Any]) -> list[str]:
    if result["mode"] == PreInputMode.PAYLOAD:
        return list(result["texts"])
    token = _token(result)
    return [services.token_text(request_municipality(request), token)] if token else []


def _missing(request: HttpRequest, slug: str) -> HttpResponse:
    messages.warning(
        request,
        _("事前入力が見つかりませんでした。削除されたか、別の端末で作られた可能性があります。"),
    )
    return redirect("applications:procedure", request_municipality(request).code, slug)


def qr_codes(texts: list[str], png_url: Callable[[int], str]) -> list[dict[str, Any]]:
    """The codes of a pre-input's result page (one procedure or a visit): numbered SVGs, each
    with the address of its PNG."""
    total = len(texts)
    return [
        {
            "number": i,
            "svg": mark_safe(  # noqa: S308 - segno's own SVG output, no user input in markup
                qr.svg(text, title=_("QRコード {number}/{total}").format(number=i, total=total))
            ),
            "png_url": png_url(i),
        }
        for i, text in enumerate(texts, start=1)
    ]


@never_cache
def preinput_result(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _preinput_procedure(request, slug)
    result = _session_result(request, slug)
    texts = _texts(request, result) if result else []
    if result is None or not texts:
        return _missing(request, slug)
    code = request_municipality(request).code
    return render(
        request,
        "counter/preinput_result.html",
        {
            "procedure": procedure,
            "codes": qr_codes(
                texts,
                lambda n: reverse(
                    "counter:preinput_png",
                    kwargs={"municipality_code": code, "slug": slug, "number": n},
                ),
            ),
            "total": len(texts),
            "mode": result["mode"],
            "expires_at": parse_datetime(result["expires_at"]),
        },
    )


@never_cache
def preinput_png(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _preinput_procedure(request, slug)
    result = _session_result(request, slug)
    texts = _texts(request, result) if result else []
    if not 1 <= number <= len(texts):
        raise Http404
    response = HttpResponse(qr.png(texts[number - 1]), content_type="image/png")
    name = f"preinput-{slug}-{number}-of-{len(texts)}.png"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
def preinput_view(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _preinput_procedure(request, slug)
    result = _session_result(request, slug)
    if result is None:
        return _missing(request, slug)
    context: dict[str, Any] = {"procedure": procedure, "mode": result["mode"], "sections": []}
    if result["mode"] == PreInputMode.TOKEN:
        row = services.preinput_for_resident(
            municipality=request_municipality(request), token=_token(result)
        )
        if row is None:
            request.session.pop(_result_key(request, slug), None)
            return _missing(request, slug)
        definition = form_version_definition(form_version=row.form_version)
        context["sections"] = summarize(definition, row.answers)
        context["expires_at"] = row.expires_at
    return render(request, "counter/preinput_view.html", context)


@require_POST
def preinput_delete(request: HttpRequest, slug: str) -> HttpResponse:
    _preinput_procedure(request, slug)
    result = request.session.pop(_result_key(request, slug), None)
    if isinstance(result, dict) and result.get("mode") == PreInputMode.TOKEN:
        services.preinput_delete(municipality=request_municipality(request), token=_token(result))
        messages.success(request, _("事前入力を削除しました。QRコードはもう使えません。"))
    else:
        messages.success(
            request,
            _(
                "この端末から事前入力のQRコードを消しました。入力内容はもともと市役所のサーバーには"
                "保存されていません。印刷や保存したQRコードがあれば、破棄してください。"
            ),
        )
    return redirect("applications:procedure", request_municipality(request).code, slug)
