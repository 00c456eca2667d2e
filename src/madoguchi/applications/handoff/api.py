"""(3) The hand-off API a core system's input screen calls (bearer token per municipality).

Mounted by the project at /api/v1/handoff/. A token belongs to one municipality and carries
scopes: `applications:read` (list and fetch) and `applications:handoff` (mark handed off).
A municipality code other than the token's answers 404, exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction
from madoguchi.procedures.selectors import form_version_definition

from ..models import Application, HandoffMethod, Status
from . import services
from .layout import cell, columns_for
from .models import ApiToken, Scope


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return services.api_token_check(token)


router = Router(tags=["handoff"], auth=TokenAuth())


def _token(request: HttpRequest, code: str, scope: str) -> ApiToken:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if token.municipality.code != code:
        raise HttpError(404, _("見つかりません。"))
    if not token.has_scope(scope):
        raise HttpError(
            403, _("このトークンには「%(scope)s」の権限がありません。") % {"scope": scope}
        )
    return token


def _application(token: ApiToken, receipt_number: str) -> Application:
    application = (
        Application.objects.for_municipality(token.municipality)
        .select_related("procedure", "form_version")
        .filter(receipt_number=receipt_number[:20], purged_at__isnull=True)
        .first()
    )
    if application is None:
        raise HttpError(404, _("この受付番号の申請は見つかりません。"))
    return application


class ListFilters(Schema):
    handed_off: bool = False
    limit: int = 100
    after: str = ""  # the last receipt number of the previous page


class ApplicationSummaryOut(Schema):
    receipt_number: str
    status: str
    submitted_at: datetime
    handed_off_at: datetime | None


class ColumnOut(Schema):
    key: str
    label: str
    value: str


class ApplicationOut(ApplicationSummaryOut):
    procedure: str
    form_version: int
    channel: str
    applicant_name: str
    applicant_kana: str
    answers: dict[str, Any]
    columns: list[ColumnOut]


class HandedOffOut(Schema):
    receipt_number: str
    handed_off_at: datetime
    method: str


def _summary(a: Application) -> dict[str, Any]:
    return {
        "receipt_number": a.receipt_number,
        "status": a.status,
        "submitted_at": a.submitted_at,
        "handed_off_at": a.handed_off_at,
    }


@router.get(
    "/{code}/procedures/{slug}/applications",
    response=list[ApplicationSummaryOut],
    summary="未連携の申請の一覧",
)
def list_applications(
    request: HttpRequest, code: str, slug: str, filters: Query[ListFilters]
) -> Any:
    """Applications of a procedure, oldest first; by default only those not yet handed off.

    Page with `after` = the last receipt number received; at most `limit` (1–500) per call.
    """
    token = _token(request, code, Scope.READ)
    limit = max(1, min(filters.limit, 500))
    qs = (
        Application.objects.for_municipality(token.municipality)
        .filter(procedure__slug=slug, purged_at__isnull=True)
        .exclude(status=Status.WITHDRAWN)
        .order_by("receipt_number")
        .only("receipt_number", "status", "submitted_at", "handed_off_at")
    )
    if not filters.handed_off:
        qs = qs.filter(handed_off_at__isnull=True)
    if filters.after:
        qs = qs.filter(receipt_number__gt=filters.after[:20])
    return [_summary(a) for a in qs[:limit]]


@router.get("/{code}/applications/{receipt_number}", response=ApplicationOut, summary="申請の取得")
def get_application(request: HttpRequest, code: str, receipt_number: str) -> Any:
    """One application with its answers (normalised JSON) and the documented columns."""
    token = _token(request, code, Scope.READ)
    application = _application(token, receipt_number)
    audit_record(
        actor=f"api:{token.name}",
        action=AuditAction.API_FETCH,
        municipality=token.municipality,
        obj=application,
    )
    definition = form_version_definition(form_version=application.form_version)
    return {
        **_summary(application),
        "procedure": application.procedure.slug,
        "form_version": application.form_version.number,
        "channel": application.channel,
        "applicant_name": application.applicant_name,
        "applicant_kana": application.applicant_kana,
        "answers": application.answers,
        "columns": [
            {"key": c.key, "label": c.header, "value": cell(c, application.answers)}
            for c in columns_for(definition)
        ],
    }


@router.post(
    "/{code}/applications/{receipt_number}/handed-off",
    response=HandedOffOut,
    summary="連携済の記録",
)
def mark_handed_off(request: HttpRequest, code: str, receipt_number: str) -> Any:
    """Record that the core system has taken the application in (repeatable)."""
    token = _token(request, code, Scope.HANDOFF)
    application = _application(token, receipt_number)
    try:
        updated = services.application_mark_handed_off(
            application=application, method=HandoffMethod.API, token=token
        )
    except services.HandoffRefused as exc:
        raise HttpError(409, exc.message) from exc
    assert updated.handed_off_at is not None
    return {
        "receipt_number": updated.receipt_number,
        "handed_off_at": updated.handed_off_at,
        "method": updated.handoff_method,
    }
