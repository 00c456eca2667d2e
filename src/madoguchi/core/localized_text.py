"""Which of a text's language versions a reader sees: the one rule for texts municipalities enter.

A text a municipality enters (a procedure's description, a service name, a closed-day note …) is a
Japanese model field ``<field>`` with companions ``<field>_en`` (English) and, for catalogue texts,
``<field>_easy`` (やさしい日本語). ``localized(obj, "description")`` picks the version to show:

- Japanese reader: the やさしい日本語 text when the resident chose やさしい日本語 and the field has
  one, else the Japanese text (no badge: both are Japanese).
- English reader: ``<field>_en``, else the Japanese text marked as a fallback.
- Reader of another language (zh-hans, ko, vi, pt-br …): ``<field>_<code>`` if a model ever has
  one, else English (marked: shown in English), else Japanese (marked: Japanese only).

The template side is in ``core/templatetags/localized_text.py`` (``{% localized %}`` and
``{% localized_block %}``); the badge text is translated into the reader's language. See
docs/entered-texts.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# やさしい日本語 is a reading mode of Japanese, not a UI language: the UI strings stay ordinary
# Japanese, only catalogue texts change. Chosen with a cookie so it works without JavaScript and
# without a session.
EASY_JAPANESE_COOKIE = "mg_easy_ja"
EASY_JAPANESE_MAX_AGE = 365 * 24 * 60 * 60

JAPANESE = "ja"
ENGLISH = "en"


@dataclass(frozen=True)
class LocalizedText:
    """A text as shown to one reader: its words, their language, and whether it fell back."""

    text: str
    lang: str  # BCP 47 tag of ``text`` ("ja", "en", "zh-Hans" …), for the ``lang`` attribute
    is_fallback: bool  # not in the reader's language: the page shows a badge
    is_easy: bool = False  # the やさしい日本語 version

    @classmethod
    def ui(cls, text: str) -> LocalizedText:
        """A text of the product itself (already translated by gettext): in the reader's language."""
        return cls(str(text), _bcp47(get_language() or JAPANESE), is_fallback=False)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def lines(self) -> list[str]:
        """Non-empty lines (lists such as 必要なもの are entered one item a line)."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    @property
    def badge(self) -> str:
        """The fallback badge in the reader's language ("" when the text is in it)."""
        if not self.is_fallback:
            return ""
        if self.lang == ENGLISH:
            return _("英語で表示しています")
        return _("日本語のみ")


# An absent text (a default for dataclass fields).
NO_TEXT = LocalizedText("", JAPANESE, is_fallback=False)


def _suffix(language: str) -> str:
    """The field suffix of a language code: "zh-hans" → "zh_hans", "pt-br" → "pt_br"."""
    return language.lower().replace("-", "_")


def _bcp47(language: str) -> str:
    """A Django language code as an HTML ``lang`` value: "zh-hans" → "zh-Hans", "pt-br" → "pt-BR"."""
    parts = language.split("-")
    if len(parts) == 1:
        return parts[0].lower()
    second = parts[1]
    second = second.title() if len(second) == 4 else second.upper()
    return "-".join([parts[0].lower(), second, *parts[2:]])


def _value(obj: Any, name: str) -> str:
    value = obj.get(name, "") if isinstance(obj, Mapping) else getattr(obj, name, "")
    text = "" if value is None else str(value)
    return text if text.strip() else ""


def localized(
    obj: Any, field: str, language: str | None = None, *, easy: bool = False
) -> LocalizedText:
    """The version of ``obj.<field>`` to show a reader of ``language`` (default: the active one).

    ``obj`` is a model instance or a mapping (selectors' dictionaries); ``easy`` says the reader
    chose やさしい日本語 (see ``easy_japanese_chosen``). A value already marked safe (sanitised
    HTML such as FAQ answers, ``faq.content.render_answer``) stays safe in ``text``; anything
    else is escaped when rendered.
    """
    language = (language or get_language() or JAPANESE).lower()
    japanese = _value(obj, field)
    base = language.split("-")[0]
    if base == JAPANESE:
        if easy:
            plain = _value(obj, f"{field}_easy")
            if plain:
                return LocalizedText(plain, JAPANESE, is_fallback=False, is_easy=True)
        return LocalizedText(japanese, JAPANESE, is_fallback=False)
    own = _value(obj, f"{field}_{_suffix(language)}")
    if own:
        return LocalizedText(own, _bcp47(language), is_fallback=False)
    if base != ENGLISH:
        english = _value(obj, f"{field}_{ENGLISH}")
        if english:
            return LocalizedText(english, ENGLISH, is_fallback=True)
    # An empty Japanese text is simply absent: nothing to mark.
    return LocalizedText(japanese, JAPANESE, is_fallback=bool(japanese))


def localized_str(obj: Any, field: str, language: str | None = None) -> str:
    """Just the words (names in headings and titles, where a badge does not fit)."""
    return localized(obj, field, language).text


def easy_japanese_chosen(request: HttpRequest | None) -> bool:
    """Whether this resident chose やさしい日本語 (it only matters while the UI is Japanese)."""
    if request is None:
        return False
    return request.COOKIES.get(EASY_JAPANESE_COOKIE) == "1"


def easy_japanese_remember(response: HttpResponse, *, on: bool) -> None:
    """Set or clear the やさしい日本語 choice on a response."""
    if on:
        response.set_cookie(
            EASY_JAPANESE_COOKIE,
            "1",
            max_age=EASY_JAPANESE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(EASY_JAPANESE_COOKIE, samesite="Lax")
