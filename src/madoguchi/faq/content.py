"""Answer markup: a safe subset of Markdown and HTML, sanitised on save and again on display.

Markdown is rendered by markdown-it-py (CommonMark, inline HTML allowed), then nh3 (the Ammonia
sanitiser) keeps only the tags and attributes below: no scripts, styles, event handlers, iframes
or ``javascript:`` links, whatever an editor or a CSV file contains.
"""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "dd", "dl", "dt", "em", "h3", "h4", "h5", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "breaks": True})


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def sanitize_answer(text: str) -> str:
    """The stored answer: Markdown source with any HTML in it reduced to the safe subset.

    Text without ``<`` is kept as typed; otherwise nh3 drops disallowed tags and escapes stray
    ``<``/``&`` as entities, which Markdown renders back as the characters. Idempotent.
    """
    if "<" not in text:
        return text.strip()
    return _clean(text).strip()


def render_answer(text: str) -> SafeString:
    """HTML for display: Markdown rendered, then sanitised (safe to mark safe)."""
    return mark_safe(_clean(_markdown.render(text)))  # noqa: S308 - sanitised by nh3 just above


def answer_plain_text(text: str) -> str:
    """The answer without markup, for search and JSON previews."""
    return " ".join(nh3.clean(_markdown.render(text), tags=set()).split()).replace("&amp;", "&")


_KEYWORD_SPLIT = re.compile(r"[\s,、，;；]+")


def split_keywords(text: str) -> list[str]:
    return [k for k in _KEYWORD_SPLIT.split(text) if k]
