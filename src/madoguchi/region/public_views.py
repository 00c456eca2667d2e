"""The public joint-procurement page (/region/procurement/): for vendors and other prefectures.

Only systems a prefecture marked public; no personal data (systems, costs, participating
municipalities and their population). No sign-in, cacheable like any public page.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .models import Domain, SystemType

PAGE_SIZE = 50


def procurement(request: HttpRequest) -> HttpResponse:
    filters = selectors.SystemFilters.from_query(request.GET.dict())
    systems = selectors.public_system_list(filters=filters)
    return render(
        request,
        "region/public/list.html",
        {
            "page": Paginator(systems, PAGE_SIZE).get_page(request.GET.get("page")),
            "dashboard": selectors.dashboard(systems),
            "query_prefix": selectors.query_prefix(request.GET),
            "filters": filters,
            "domains": Domain.choices,
            "types": SystemType.choices,
        },
    )


def procurement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "region/public/detail.html",
        {"system": selectors.public_system_get(pk=pk)},
    )
