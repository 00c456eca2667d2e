"""Template side of the rule in ``core/localized_text.py``.

    {% load localized_text %}
    {% localized_block procedure "description" element="div" format="linebreaks" %}
    {% localized procedure "fees" as fees %}{% if fees %}<dd lang="{{ fees.lang }}">
        {% language_badge fees %}{{ fees }}</dd>{% endif %}
    {% easy_japanese_toggle %}   (the やさしい日本語 switch, next to the language switcher)

``localized_block`` writes the text with its ``lang`` attribute and, when the text is not in the
reader's language, a visible badge ("日本語のみ" / "Japanese only") in the reader's language.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaks_filter, linebreaksbr
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from madoguchi.core.localized_text import LocalizedText, easy_japanese_chosen, localized

register = template.Library()

FORMATS = {"text", "linebreaks", "linebreaksbr", "lines"}


def _easy(context: template.Context) -> bool:
    return easy_japanese_chosen(context.get("request"))


@register.simple_tag(takes_context=True, name="localized")
def localized_tag(
    context: template.Context, obj: Any, field: str, language: str = ""
) -> LocalizedText:
    """The LocalizedText of ``obj.<field>`` for this reader (use with ``as name``).

    ``language`` overrides the page's language where the reader's is known otherwise (the FAQ
    chat answers in the language a question was written in).
    """
    return localized(obj, field, language or None, easy=_easy(context))


@register.simple_tag(name="language_badge")
def language_badge(text: LocalizedText) -> SafeString:
    """The fallback badge, in the reader's language; empty when the text is in it."""
    if not text or not text.is_fallback:
        return mark_safe("")
    return format_html(
        '<span class="mg-lang-badge" lang="{}">{}</span> ',
        get_language() or "ja",
        text.badge,
    )


@register.simple_tag(takes_context=True)
def localized_block(
    context: template.Context,
    obj: Any,
    field: str,
    element: str = "p",
    format: str = "text",
    css: str = "",
    language: str = "",
) -> SafeString:
    """``obj.<field>`` for this reader inside ``<element lang=…>``, with the badge when it fell back.

    ``format``: "text" (as is), "linebreaks" (paragraphs), "linebreaksbr", "lines" (a list).
    Empty texts render nothing, so templates need no ``if``. ``language`` as in ``localized``.
    """
    if format not in FORMATS:
        raise template.TemplateSyntaxError(f"localized_block: unknown format {format!r}")
    if element not in {"p", "div", "dd", "span", "li"}:
        raise template.TemplateSyntaxError(f"localized_block: unsupported element {element!r}")
    text = localized(obj, field, language or None, easy=_easy(context))
    if not text:
        return mark_safe("")
    badge = language_badge(text)
    body: SafeString
    if format == "lines":
        items = format_html_join("", "<li>{}</li>", ((line,) for line in text.lines))
        body = format_html("{}<ul>{}</ul>", _block_badge(badge), items)
    elif format == "linebreaks":
        body = format_html("{}{}", _block_badge(badge), linebreaks_filter(text.text))
    elif format == "linebreaksbr":
        body = format_html("{}{}", badge, linebreaksbr(text.text))
    else:
        body = format_html("{}{}", badge, conditional_escape(text.text))
    return format_html(
        '<{0} class="mg-localized{1}" lang="{2}"{3}>{4}</{0}>',
        mark_safe(element),  # noqa: S308 — one of the fixed names above
        f" {css}" if css else "",
        text.lang,
        mark_safe(' data-fallback="true"') if text.is_fallback else "",
        body,
    )


def _block_badge(badge: SafeString) -> SafeString:
    """The badge on a line of its own above paragraphs or a list."""
    if not badge:
        return badge
    return format_html('<span class="mg-localized__badge-line">{}</span>', badge)


@register.inclusion_tag("core/_easy_japanese_toggle.html", takes_context=True)
def easy_japanese_toggle(context: template.Context) -> dict[str, Any]:
    """The やさしい日本語 switch: shown on residents' pages while they are in Japanese."""
    request = context.get("request")
    return {
        "show": (get_language() or "ja").startswith("ja")
        and request is not None
        and not request.path.startswith("/staff/"),
        "on": easy_japanese_chosen(request),
        "next": request.get_full_path() if request is not None else "/",
        "csrf_token": context.get("csrf_token"),
    }
