"""Resident chat: a page that works as a plain form, a JSON endpoint for chat.js, the iframe page.

Mounted by the project at /<municipality_code>/faq/ (request.municipality is set by middleware).
The chat endpoints are CSRF-exempt on purpose: they run inside an iframe on the municipality's own
site, where the browser withholds our (SameSite) cookies; they carry no session or authority a
forged request could borrow, and they are rate-limited per client.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.tenancy.middleware import request_municipality
from madoguchi.tenancy.models import Municipality

from . import ratelimit, selectors, services
from .forms import FeedbackForm, QuestionForm

# Every resident language (the widget has no language menu of its own but ?lang= links).
EMBED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(request: HttpRequest) -> str:
    lang = request.GET.get("lang") or request.POST.get("lang") or ""
    return lang if lang in EMBED_LANGUAGES else translation.get_language() or "ja"


def _ask(request: HttpRequest, data: Any) -> tuple[services.ChatAnswer | None, str, int]:
    """Validate and answer one question: (answer, error message, HTTP status)."""
    municipality = request_municipality(request)
    if not ratelimit.hit(request, scope=f"ask:{municipality.pk}"):
        return (
            None,
            _("短い時間に多くの質問を受け付けました。しばらく待ってからもう一度お試しください。"),
            429,
        )
    form = QuestionForm(data)
    if not form.is_valid():
        return None, str(form.errors["q"][0]), 400
    try:
        answer = services.faq_ask(
            municipality=municipality,
            query=form.cleaned_data["q"],
            language=translation.get_language() or "ja",
        )
    except ValidationError as exc:
        return None, exc.messages[0], 400
    return answer, "", 200


def _chat_context(request: HttpRequest, *, embed: bool) -> dict[str, Any]:
    municipality = request_municipality(request)
    return {
        "embed": embed,
        "lang": translation.get_language(),
        "categories": selectors.category_suggestions(municipality=municipality),
        "chat_url": reverse(
            "faq:embed" if embed else "faq:chat",
            kwargs={"municipality_code": municipality.code},
        ),
        "thanks": request.GET.get("thanks") == "1",
    }


def _chat(request: HttpRequest, *, embed: bool) -> HttpResponse:
    context = _chat_context(request, embed=embed)
    data = (
        request.POST if request.method == "POST" else (request.GET if "q" in request.GET else None)
    )
    status = 200
    if data is not None:
        answer, error, status = _ask(request, data)
        context.update({"turn": answer, "error": error, "question": data.get("q", "")[:200]})
    template = "faq/embed.html" if embed else "faq/chat.html"
    return render(request, template, context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    return _chat(request, embed=False)


def _frame_ancestors(municipality: Municipality) -> list[str]:
    """Who may frame the widget: the municipality's own site and any configured origins."""
    sources = ["'self'", *getattr(settings, "FAQ_WIDGET_FRAME_ANCESTORS", [])]
    if municipality.website:
        parts = urlsplit(municipality.website)
        if parts.scheme in ("http", "https") and parts.netloc:
            sources.append(f"{parts.scheme}://{parts.netloc}")
    return sources


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def embed(request: HttpRequest) -> HttpResponse:
    """The page inside the widget's iframe; its language comes from ?lang= (ja or en)."""
    with translation.override(_language(request)):
        response = _chat(request, embed=True)
    response._csp_replace = {"frame-ancestors": _frame_ancestors(request_municipality(request))}  # type: ignore[attr-defined]
    return response


@csrf_exempt
@require_POST
def ask_json(request: HttpRequest) -> JsonResponse:
    """POST q (form-encoded) → the answer as data, plus the rendered chat turn for chat.js."""
    with translation.override(_language(request)):
        answer, error, status = _ask(request, request.POST)
        if answer is None:
            return JsonResponse({"error": error}, status=status)
        html = render_to_string(
            "faq/_turn.html",
            {"turn": answer, "embed": True, "lang": translation.get_language()},
            request=request,
        )
    return JsonResponse(
        {
            "query": answer.query,
            "log_id": str(answer.log_id),
            "confident": answer.confident,
            "confidence": round(answer.confidence, 3),
            "answer": _answer_json(answer.answer),
            "alternatives": [_answer_json(a) for a in answer.alternatives],
            "procedures": [{"name": p.name, "url": p.url} for p in answer.procedures],
            "html": html,
        }
    )


def _answer_json(view: selectors.AnswerView | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "id": view.doc_id,
        "question": view.question,
        "answer_html": str(view.answer),
        "answer_text": view.answer_text,
        "category": view.category,
        "contact": view.contact,
        "procedures": [{"name": p.name, "url": p.url} for p in view.procedures],
        "question_en": view.question_en,
        "answer_en_html": str(view.answer_en),
        "category_en": view.category_en,
        "contact_en": view.contact_en,
    }


@csrf_exempt
@xframe_options_exempt
@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    """ "解決しましたか？": JSON for chat.js, otherwise back to the chat with a thank-you."""
    municipality = request_municipality(request)
    form = FeedbackForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not ratelimit.hit(request, scope=f"feedback:{municipality.pk}"):
        return JsonResponse({"error": "rate"}, status=429)
    if not form.is_valid() or not services.faq_feedback(
        municipality=municipality,
        log_id=form.cleaned_data["log"],
        helpful=form.cleaned_data["helpful"],
    ):
        return JsonResponse({"error": "invalid"}, status=400)
    embedded = request.POST.get("embed") == "1"
    lang = _language(request)
    followup = None
    if not form.cleaned_data["helpful"]:
        followup = services.faq_followup(municipality=municipality, log_id=form.cleaned_data["log"])
    if wants_json:
        payload: dict[str, Any] = {"ok": True}
        if followup is not None:
            with translation.override(lang):
                payload["html"] = render_to_string(
                    "faq/_followup.html",
                    {"followup": followup, "embed": embedded, "lang": lang},
                    request=request,
                )
        return JsonResponse(payload)
    if followup is not None:
        # No JavaScript: the chat page again, with the follow-ups and the question to rephrase.
        with translation.override(lang):
            context = _chat_context(request, embed=embedded)
            context.update({"followup": followup, "question": followup.query, "lang": lang})
            response = render(request, "faq/embed.html" if embedded else "faq/chat.html", context)
        if embedded:
            response._csp_replace = {"frame-ancestors": _frame_ancestors(municipality)}  # type: ignore[attr-defined]
        return response
    name = "faq:embed" if embedded else "faq:chat"
    url = reverse(name, kwargs={"municipality_code": municipality.code})
    return redirect(f"{url}?thanks=1&lang={lang}")
