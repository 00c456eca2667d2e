"""The deployment's front page, each municipality's trust pages, and the product's error pages.

The error pages live here rather than in core because the way back depends on the municipality
of the URL (tenancy sits above core in the layers).
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from madoguchi.core.localized_text import localized

from .access import get_active_municipality
from .middleware import request_municipality
from .models import Municipality, TrustPage

logger = logging.getLogger(__name__)


def index(request: HttpRequest) -> HttpResponse:
    """The deployment's front page: the municipalities it serves."""
    municipalities = Municipality.objects.filter(is_active=True).select_related("prefecture")
    return render(request, "core/index.html", {"municipalities": municipalities})


def trust_page(request: HttpRequest, kind: str) -> HttpResponse:
    """The municipality's privacy notice, terms or accessibility statement (or whom to ask)."""
    if kind not in TrustPage.Kind.values:
        raise Http404
    municipality = request_municipality(request)
    page = TrustPage.objects.for_municipality(municipality).filter(kind=kind).first()
    body = localized(page, "body") if page else None
    paragraphs = [p.strip() for p in body.text.split("\n\n") if p.strip()] if body else []
    return render(
        request,
        "tenancy/trust_page.html",
        {
            "title": TrustPage.Kind(kind).label,
            "page": page,
            "body": body,
            "paragraphs": paragraphs,
            "trust_kinds": TrustPage.Kind,
        },
    )


# --- Error pages --------------------------------------------------------------------------------
# The product's own pages for 404, 403, 500 and a refused form (CSRF), in the reader's language
# and with a way back. Wired in urls.py (handler404/403/500) and settings (CSRF_FAILURE_VIEW).
# Django uses the handlers only when DEBUG is off (the CSRF view always), so the demo runs with
# DEBUG off too (settings/dev.py).


def _request_municipality(request: HttpRequest) -> Municipality | None:
    """The town of a resident URL, also when the error came before the view (a refused form)."""
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        try:
            code = resolve(request.path_info).kwargs.get("municipality_code")
        except Resolver404:
            # No such page, but under a town's address (/<code>/…): still that town's page.
            code = request.path_info.lstrip("/").split("/", 1)[0]
        if code:
            try:
                municipality = get_active_municipality(code)
            except Http404:
                municipality = None
            request.municipality = municipality  # type: ignore[attr-defined]  # the footer
    return municipality


def _way_back(request: HttpRequest) -> tuple[str, str]:
    """(URL, label): the town's front page, the staff menu or the deployment's front page."""
    municipality = _request_municipality(request)
    if municipality is not None:
        return reverse("applications:home", args=[municipality.code]), _("手続の一覧に戻る")
    if request.path.startswith("/staff/"):
        return reverse("accounts:home"), _("職員メニューに戻る")
    return reverse("index"), _("トップページに戻る")


def _error_page(
    request: HttpRequest, *, status: int, title: str, message: str, hint: str
) -> HttpResponse:
    back_url, back_label = _way_back(request)
    context = {
        "status": status,
        "title": title,
        "message": message,
        "hint": hint,
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "core/error.html", context, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request,
        status=404,
        title=_("ページが見つかりません"),
        message=_(
            "お探しのページは、移動したか、削除されたか、URL が間違っている可能性があります。"
        ),
        hint=_("ブックマークやメールのリンクから来た場合は、下のリンクから探し直してください。"),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request,
        status=403,
        title=_("このページを見る権限がありません"),
        message=_("このページは、権限のある方だけが見ることができます。"),
        hint=_("必要な場合は、所属の管理者にお問い合わせください。"),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from an old page or without cookies: say what to do, never Django's page."""
    return _error_page(
        request,
        status=403,
        title=_("送信を受け付けられませんでした"),
        message=_(
            "画面を開いてから時間がたったか、ブラウザーの Cookie が使えないため、"
            "送信された内容を確認できませんでした。入力した内容は保存されていません。"
        ),
        hint=_("前の画面に戻ってページを読み込み直し、もう一度送信してください。"),
    )


# A last resort for the 500 page when even its template cannot be rendered.
_BARE_500 = (
    '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>エラーが発生しました / Server error</title></head><body>"
    "<h1>エラーが発生しました</h1><p>しばらくしてから、もう一度お試しください。</p>"
    '<p lang="en">Something went wrong on our side. Please try again later.</p>'
    '<p><a href="/">トップページに戻る / Back to the start page</a></p></body></html>'
)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without a request context: the database or a context processor may be the fault."""
    try:
        body = loader.get_template("core/error_500.html").render({})
    except Exception:  # the error page itself must never fail
        logger.exception("the 500 page could not be rendered")
        body = _BARE_500
    return HttpResponse(body, status=500, content_type="text/html; charset=utf-8")
