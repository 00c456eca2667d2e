"""Refuse NUL characters at the door, for every URL, query string and body.

NUL is never part of any text this product handles, and PostgreSQL refuses it in every text
column and query parameter ("A string literal cannot contain NUL (0x00) characters"), so a
NUL that reached a filter, a search or a log row became a 500 on PostgreSQL only. Forms
already refuse it field by field; this catches the values views read directly
(request.GET/POST, path parts) and JSON bodies ("\\u0000"), in one place.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

_JSON_NUL = (b"\\u0000", b"\\U0000")


def _nul_in_url(request: HttpRequest) -> bool:
    return "\x00" in request.path_info or any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


def _nul_in_body(request: HttpRequest) -> bool:
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


def _nul_paths(body: bytes, limit: int = 10) -> list[str]:
    """Where the NULs are in a JSON body ("answers.name"), for the API's error list."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return []
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", document)]
    while stack and len(found) < limit:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    found.append(where)
                else:
                    stack.append((where, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and "\x00" in value:
            found.append(path)
    return sorted(found)


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_url = _nul_in_url(request)
        if not in_url and not _nul_in_body(request):
            return self.get_response(request)
        message = _(
            "入力に使えない制御文字（NUL）が含まれています。内容を確かめて、もう一度送ってください。"
        )
        if request.path_info.startswith("/api/"):
            # As the OpenAPI document says: a bad URL is a 400 {"detail"}; a well-formed JSON
            # body with a value no field accepts is a 422 {"message", "errors"}.
            if in_url:
                return JsonResponse({"detail": message}, status=400)
            errors = {path or "body": [message] for path in _nul_paths(request.body)}
            return JsonResponse(
                {"message": message, "errors": errors or {"body": [message]}}, status=422
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
