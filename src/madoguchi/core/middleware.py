"""Refuse NUL characters at the door, for every URL, query string and body.

NUL is never part of any text this product handles, and PostgreSQL refuses it in every text
column and query parameter ("A string literal cannot contain NUL (0x00) characters"), so a
NUL that reached a filter, a search or a log row became a 500 on PostgreSQL only. Forms
already refuse it field by field; this catches the values views read directly
(request.GET/POST, path parts) and JSON bodies ("\\u0000"), in one place.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

_JSON_NUL = (b"\\u0000", b"\\U0000")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info or any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    ):
        return True
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.POST.lists()
            )
        if content_type.endswith("json"):
            body = request.body
            return b"\x00" in body or any(marker in body for marker in _JSON_NUL)
    return False


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _(
                "入力に使えない制御文字（NUL）が含まれています。内容を確かめて、もう一度送ってください。"
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"message": message, "errors": {}}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
