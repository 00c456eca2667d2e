"""Enumerate every URL pattern of the project, and discover the parameters each view reads.

Shared by the tests that must cover every URL (hostile input, tenant isolation): a new URL is
walked without editing a test.

- Patterns: the URLConf is walked recursively (includes, namespaces, the admin, the
  django-ninja API, whose routes are ordinary Django patterns); each leaf's regular expression
  is normalised with Django's own `normalize` (what `reverse()` uses) into a template such as
  `%(municipality_code)s/procedures/%(slug)s/` and its parameter names.
- Query and form parameter names: scanned from the source of the view's module
  (`request.GET.get("…")`, `request.GET["…"]`, `"…" in request.GET`, and the fields of the
  forms it builds from `request.GET` / `request.POST`), from the OpenAPI document for API
  routes, and from the pages themselves (links with a query string, GET and POST forms) —
  see `page_parameters`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize


@dataclass(frozen=True)
class Route:
    template: str  # "%(municipality_code)s/procedures/%(slug)s/" (no leading slash)
    params: tuple[str, ...]
    name: str  # "applications:procedure" ("" if unnamed)
    callback: Callable[..., Any]

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]

    def path(self, values: dict[str, str]) -> str:
        """The URL path with already URL-encoded `values` put in."""
        return "/" + self.template % values


def _joined(prefix: str, regex: str) -> str:
    return prefix + regex.removeprefix("^")


def routes(
    patterns: Iterable[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    """Every leaf pattern of the URLConf, with its full template."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        regex = _joined(prefix, pattern.pattern.regex.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from routes(pattern.url_patterns, regex, inner)
        elif isinstance(pattern, URLPattern):
            template, params = normalize(regex)[0]
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(template, tuple(params), name or "", pattern.callback)


_GET_NAMES = (
    re.compile(r"request\.(?:GET|POST)\.(?:get|getlist)\(\s*[\"']([^\"']+)[\"']"),
    re.compile(r"request\.(?:GET|POST)\[\s*[\"']([^\"']+)[\"']\s*\]"),
    re.compile(r"[\"']([^\"']+)[\"']\s+(?:not\s+)?in\s+request\.(?:GET|POST)"),
)
_FORM_FROM = re.compile(r"\b([A-Z]\w*Form)\(\s*request\.(GET|POST)")


def _view_module(callback: Callable[..., Any]) -> Any:
    target = getattr(callback, "view_class", None) or inspect.unwrap(callback)
    target = getattr(target, "__func__", target)
    return inspect.getmodule(target)


def source_parameters(callback: Callable[..., Any]) -> tuple[set[str], set[str]]:
    """(query names, form names) the view's module reads, by scanning its source."""
    module = _view_module(callback)
    if module is None:
        return set(), set()
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set(), set()
    names: set[str] = set()
    for expression in _GET_NAMES:
        names.update(expression.findall(source))
    query, form = set(names), set(names)
    for form_name, where in _FORM_FROM.findall(source):
        form_class = getattr(module, form_name, None)
        fields = set(getattr(form_class, "base_fields", {}) or {})
        (query if where == "GET" else form).update(fields)
    return query, form


@dataclass
class PageParameters:
    query: set[str] = field(default_factory=set)
    form: set[str] = field(default_factory=set)


class _PageParser(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.found = PageParameters()
        self._form_method: str | None = None

    def _same_page(self, url: str) -> bool:
        target = urlsplit(url).path
        return target in ("", self.path)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "a" and "?" in attributes.get("href", ""):
            href = attributes["href"]
            if self._same_page(href):
                query = urlsplit(href).query
                self.found.query.update(k for k, _v in parse_qsl(query, keep_blank_values=True))
        elif tag == "form":
            same = self._same_page(attributes.get("action", ""))
            method = attributes.get("method", "get").lower()
            self._form_method = method if same else None
        elif tag in ("input", "select", "textarea", "button") and self._form_method:
            name = attributes.get("name")
            if name:
                target = self.found.query if self._form_method == "get" else self.found.form
                target.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form_method = None


def page_parameters(path: str, html: str) -> PageParameters:
    """Query names from same-page links and GET forms, form names from POST forms."""
    parser = _PageParser(path)
    parser.feed(html)
    return parser.found
