"""Which languages a page offers: residents read six, staff pages stay in Japanese and English.

settings.LANGUAGES lists every language a resident may choose (the switcher in core/base.html,
the Accept-Language header, the language cookie). A municipality's staff work in Japanese, and the
staff UI is translated into English only (STAFF_LANGUAGES), so a staff page asked for in
another language (a browser that prefers Vietnamese, a cookie set on a resident page) is shown
in Japanese rather than as a mixture of a few translated strings and Japanese.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

STAFF_PREFIX = "/staff/"


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIX)


def staff_language(language: str) -> str:
    """The language a staff page is shown in when `language` was asked for."""
    return language if language in settings.STAFF_LANGUAGES else settings.LANGUAGE_CODE


class StaffLanguageMiddleware:
    """After LocaleMiddleware: staff pages only in STAFF_LANGUAGES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_staff_path(request.path_info):
            current = translation.get_language() or settings.LANGUAGE_CODE
            chosen = staff_language(current)
            if chosen != current:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)
