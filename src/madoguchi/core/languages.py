"""Which languages a page offers: residents read six, staff pages stay in Japanese and English.

settings.LANGUAGES lists every language a resident may choose (the switcher in core/base.html,
the Accept-Language header, the language cookie). A municipality's staff work in Japanese, and the
staff UI is translated into English only (STAFF_LANGUAGES), so a staff page asked for in
another language (a browser that prefers Vietnamese, a cookie set on a resident page) is shown
in Japanese rather than as a mixture of a few translated strings and Japanese. The region's
public procurement pages are read by vendors and other governments, not residents: the same.
The page's language menu offers what the page has (request.staff_languages_only, core/base.html).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Pages offered in STAFF_LANGUAGES only.
STAFF_PREFIXES = ("/staff/", "/region/")


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIXES)


def staff_language(language: str) -> str:
    """The language a staff page is shown in when `language` was asked for."""
    return language if language in settings.STAFF_LANGUAGES else settings.LANGUAGE_CODE


class StaffLanguageMiddleware:
    """After LocaleMiddleware: staff pages only in STAFF_LANGUAGES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.staff_languages_only = is_staff_path(request.path_info)  # type: ignore[attr-defined]
        if request.staff_languages_only:  # type: ignore[attr-defined]
            current = translation.get_language() or settings.LANGUAGE_CODE
            chosen = staff_language(current)
            if chosen != current:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)


def language_menu(request: HttpRequest) -> dict[str, object]:
    """Context processor: the languages a resident page offers, each named in itself.

    settings.LANGUAGES as written (not through gettext: another catalogue may "translate"
    English into Japanese, and a name must be recognisable to its own readers)."""
    return {"language_menu": settings.LANGUAGES}
