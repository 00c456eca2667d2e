"""The JSON API (OpenAPI document at /api/openapi.json)."""

from ninja import NinjaAPI

from madoguchi.applications.api import router as applications_router

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
