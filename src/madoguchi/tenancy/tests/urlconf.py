"""Every URL pattern of the project, discovered from the resolver (django-ninja routes included).

Tests that must cover every URL (isolation between municipalities, hostile input) walk these
routes instead of keeping a list that a new URL would silently miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route text, its path parameters and their converters."""

    route: str
    parameters: tuple[str, ...]
    converters: Mapping[str, str]
    callback: Any
    is_regex: bool

    @property
    def model_admin(self) -> Any:
        """The ModelAdmin behind an admin view (Django sets it on the wrapped view)."""
        return getattr(self.callback, "model_admin", None)

    def url(self, values: Mapping[str, str]) -> str:
        """The path for these parameter values (regex routes are not built)."""
        assert not self.is_regex, self.route
        return "/" + _PARAMETER.sub(lambda m: str(values[m.group("name")]), self.route)


def _pattern_text(pattern: Any) -> tuple[str, bool]:
    if isinstance(pattern, RoutePattern):
        return str(pattern), False
    if isinstance(pattern, RegexPattern):
        text = str(pattern).lstrip("^").removesuffix("$")
        # A regex without groups (the admin's own "^…$" routes) reads like a plain route.
        if not _GROUP.search(text) and not re.search(r"[\\()\[\]*+?|]", text):
            return text, False
        return text, True
    return str(pattern), True


def _walk(patterns: list[Any], prefix: str, regex: bool) -> Iterator[Route]:
    for entry in patterns:
        text, is_regex = _pattern_text(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + text, regex or is_regex)
        elif isinstance(entry, URLPattern):
            route = prefix + text
            names = [m.group("name") for m in _PARAMETER.finditer(route)]
            converters = {
                m.group("name"): m.group("converter") or "str" for m in _PARAMETER.finditer(route)
            }
            groups = [m.group("name") for m in _GROUP.finditer(route)]
            yield Route(
                route=route,
                parameters=tuple(groups if (regex or is_regex) else names),
                converters=converters,
                callback=entry.callback,
                is_regex=regex or is_regex,
            )


def project_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", False))
