"""The JSON API (OpenAPI document at /api/openapi.json)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from madoguchi.applications.api import router as applications_router
from madoguchi.applications.handoff.api import router as handoff_router
from madoguchi.counter.api import router as counter_router

api = NinjaAPI(
    title="Madoguchi API",
    version="1",
    description=(
        "手続の一覧、オンライン申請の提出、申請の状況確認のための API です。"
        " Procedures, submitting an application, and its status."
    ),
    urls_namespace="api",
)
api.add_router("/v1/", applications_router)
api.add_router("/v1/handoff/", handoff_router)
api.add_router("/v1/counter/", counter_router)


@api.exception_handler(NinjaValidationError)
def request_shape_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A body that is not the documented JSON shape: say so in Japanese, with the places."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location: Any = error.get("loc", ())
        path = ".".join(str(part) for part in location if part not in {"body", "payload"})
        errors.setdefault(path, []).append(str(error.get("msg", "")))
    return api.create_response(
        request,
        {
            "message": _("リクエストの形式が正しくありません。API の説明書を確かめてください。"),
            "errors": errors,
        },
        status=422,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """No such municipality, procedure or application: the documented 404 body, in Japanese."""
    return api.create_response(request, {"detail": _("見つかりません。")}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """The documented {"detail"} body; ninja's only 400 (a body that is not JSON) in Japanese."""
    detail = str(exc)
    if exc.status_code == 400:
        detail = _("リクエストの本文を JSON として読み取れません。API の説明書を確かめてください。")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)
