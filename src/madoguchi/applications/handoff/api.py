"""(3) The hand-off API a core system's input screen calls (bearer token per municipality).

Mounted by the project at /api/v1/handoff/. A token belongs to one municipality and carries
scopes: `applications:read` (list and fetch, attachments included) and `applications:handoff`
(mark handed off). A municipality code other than the token's answers 404, exactly like a
missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from madoguchi.core import uploads
from madoguchi.core.api_errors import responses
from madoguchi.core.audit import audit_record
from madoguchi.core.models import AuditAction
from madoguchi.core.uploads import display_filename
from madoguchi.procedures.selectors import form_version_definition

from .. import selectors
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


class AttachmentOut(Schema):
    id: str
    field_path: str  # where in the answers, e.g. "children.0.certificate"
    original_name: str  # the resident's file name, made safe (no folders, no control characters)
    content_type: str  # the type found in the content, not the one the browser claimed
    size: int
    current: bool  # referenced by the answers now (false: replaced by a 補正, kept for history)
    url: str  # path of GET …/attachments/{id} for the bytes (same token)


class ApplicationOut(ApplicationSummaryOut):
    procedure: str
    form_version: int
    channel: str
    applicant_name: str
    applicant_kana: str
    answers: dict[str, Any]
    columns: list[ColumnOut]
    attachments: list[AttachmentOut]


class HandedOffOut(Schema):
    receipt_number: str
    handed_off_at: datetime
    method: str


ATTACHMENT_URL_NAME = "handoff_attachment"
# The types an attachment is sent as (the documented list; anything else is octet-stream).
ATTACHMENT_MEDIA_TYPES = (
    uploads.PDF,
    uploads.JPEG,
    uploads.PNG,
    uploads.HEIC,
    uploads.HEIF,
    uploads.WEBP,
    "image/gif",
    "image/tiff",
    "application/octet-stream",
)


def _attachment_url(request: HttpRequest, *, code: str, receipt_number: str, pk: str) -> str:
    # Reversed in the namespace of the API that served this request (the router may be mounted
    # in more than one), so the path is right wherever the core system reached us.
    match = request.resolver_match
    namespace = match.namespace if match and match.namespace else "api"
    return reverse(
        f"{namespace}:{ATTACHMENT_URL_NAME}",
        kwargs={"code": code, "receipt_number": receipt_number, "attachment_id": pk},
    )


def _summary(a: Application) -> dict[str, Any]:
    return {
        "receipt_number": a.receipt_number,
        "status": a.status,
        "submitted_at": a.submitted_at,
        "handed_off_at": a.handed_off_at,
    }


@router.get(
    "/{code}/procedures/{slug}/applications",
    response=responses({200: list[ApplicationSummaryOut]}, 401, 403, 404, 422),
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


@router.get(
    "/{code}/applications/{receipt_number}",
    response=responses({200: ApplicationOut}, 401, 403, 404),
    summary="申請の取得",
)
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
    current = set(selectors.attachment_ids_in(application.answers))
    attachments = selectors.application_attachments(
        municipality=token.municipality, application=application
    )
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
        "attachments": [
            {
                "id": str(a.pk),
                "field_path": a.field_path,
                "original_name": display_filename(a.original_name),
                "content_type": a.content_type,
                "size": a.size,
                "current": str(a.pk) in current,
                "url": _attachment_url(
                    request, code=code, receipt_number=application.receipt_number, pk=str(a.pk)
                ),
            }
            for a in attachments
        ],
    }


@router.get(
    "/{code}/applications/{receipt_number}/attachments/{attachment_id}",
    url_name=ATTACHMENT_URL_NAME,
    response=responses({}, 401, 403, 404),
    summary="添付ファイルの取得",
    openapi_extra={
        "responses": {
            200: {
                "description": (
                    "The file's bytes. Content-Type is the type found in the content "
                    "(PDF, JPEG, PNG, HEIC…; anything else is sent as application/octet-stream); "
                    "Content-Disposition names the file."
                ),
                "content": {
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in ATTACHMENT_MEDIA_TYPES
                },
            },
        }
    },
)
def get_attachment(
    request: HttpRequest, code: str, receipt_number: str, attachment_id: str
) -> FileResponse:
    """The bytes of one attachment of an application (ids and URLs in `attachments` of the
    application). Content-Disposition carries the file name (RFC 6266, `filename*` for
    Japanese names)."""
    token = _token(request, code, Scope.READ)
    application = _application(token, receipt_number)
    attachment = selectors.application_attachment(
        municipality=token.municipality, application=application, attachment_id=attachment_id
    )
    if attachment is None:
        raise HttpError(404, _("この申請にその添付ファイルはありません。"))
    try:
        content = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise HttpError(
            404, _("添付ファイルの中身が見つかりません。システム管理者に連絡してください。")
        ) from exc
    # Recorded against the application, like a download in the back office.
    audit_record(
        actor=f"api:{token.name}",
        action=AuditAction.DOWNLOAD,
        municipality=token.municipality,
        obj=application,
    )
    response = FileResponse(
        content,
        as_attachment=True,
        filename=display_filename(attachment.original_name),
        content_type=(
            attachment.content_type
            if attachment.content_type in ATTACHMENT_MEDIA_TYPES
            else "application/octet-stream"
        ),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/{code}/applications/{receipt_number}/handed-off",
    response=responses({200: HandedOffOut}, 401, 403, 404, 409),
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
