"""Views of the procedures app: the postal-code lookup used by form.js (offline data only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from madoguchi.core.postal import format_postal_code, lookup_postal_code, normalize_postal_code


@require_GET
@cache_control(max_age=86400, public=True)
def postal_lookup(request: HttpRequest) -> JsonResponse:
    """Candidate addresses for ?code=; never logged, never leaves the server."""
    try:
        code = normalize_postal_code(request.GET.get("code", "")[:20])
    except ValidationError as exc:
        return JsonResponse({"postal_code": "", "candidates": [], "message": exc.messages[0]})
    candidates = [
        {"prefecture": a.prefecture, "city": a.city, "town": a.town, "street": a.street}
        for a in lookup_postal_code(code)
    ]
    return JsonResponse({"postal_code": format_postal_code(code), "candidates": candidates})
