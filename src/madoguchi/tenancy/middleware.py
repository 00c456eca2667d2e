"""Resolve the municipality of a resident URL (`/<code>/…`) once, for every view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from .access import get_active_municipality
from .models import Municipality


class MunicipalityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.municipality = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: list[Any],
        view_kwargs: dict[str, Any],
    ) -> None:
        code = view_kwargs.pop("municipality_code", None)
        if code is not None:
            request.municipality = get_active_municipality(code)  # type: ignore[attr-defined]


def request_municipality(request: HttpRequest) -> Municipality:
    """The municipality this middleware resolved from the URL's code (resident pages only)."""
    municipality = getattr(request, "municipality", None)
    assert isinstance(municipality, Municipality), "not a /<municipality_code>/ URL"
    return municipality
