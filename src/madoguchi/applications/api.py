"""API endpoints: the catalogue, submitting an application, and its status."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Router, Schema, Status
from ninja.errors import HttpError

from madoguchi.core import ratelimit
from madoguchi.core.api_errors import responses
from madoguchi.procedures.selectors import (
    form_version_current,
    procedure_get,
    procedure_list,
    published_form_version,
)
from madoguchi.tenancy.access import get_active_municipality

from . import codes, selectors, services, throttle
from .models import Channel

router = Router(tags=["residents"])


class ProcedureOut(Schema):
    slug: str
    name: str
    name_en: str
    category: str
    summary: str
    online: bool
    counter_preinput: bool
    booking: bool
    standard_processing_days: int | None


class ProcedureDetailOut(ProcedureOut):
    description: str
    eligibility: str
    what_to_bring: list[str]
    fees: str
    form_version: int
    form_definition: dict[str, Any]


class SubmissionIn(Schema):
    procedure: str
    form_version: int
    answers: dict[str, Any]


class SubmissionOut(Schema):
    receipt_number: str
    access_code: str
    status: str
    submitted_at: datetime


class StatusIn(Schema):
    receipt_number: str
    access_code: str


class EventOut(Schema):
    at: datetime
    status: str
    status_label: str
    note: str


class StatusOut(Schema):
    receipt_number: str
    procedure: str
    status: str
    status_label: str
    submitted_at: datetime
    history: list[EventOut]


def _procedure_out(p: Any) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "name_en": p.name_en,
        "category": p.category,
        "summary": p.summary,
        "online": p.online,
        "counter_preinput": p.counter_preinput,
        "booking": p.booking,
        "standard_processing_days": p.standard_processing_days,
    }


@router.get(
    "/{code}/procedures",
    response=responses({200: list[ProcedureOut]}, 404, 422),
    summary="手続の一覧",
)
def list_procedures(request: HttpRequest, code: str, q: str = "", category: str = "") -> Any:
    municipality = get_active_municipality(code)
    procedures = procedure_list(municipality=municipality, query=q[:100], category=category)
    return [_procedure_out(p) for p in procedures]


@router.get(
    "/{code}/procedures/{slug}",
    response=responses({200: ProcedureDetailOut}, 404),
    summary="手続の詳細と様式",
)
def get_procedure(request: HttpRequest, code: str, slug: str) -> Any:
    procedure = procedure_get(municipality=get_active_municipality(code), slug=slug)
    version = form_version_current(procedure=procedure)
    return {
        **_procedure_out(procedure),
        "description": procedure.description,
        "eligibility": procedure.eligibility,
        "what_to_bring": procedure.what_to_bring_lines,
        "fees": procedure.fees,
        "form_version": version.number,
        "form_definition": version.definition,
    }


@router.post(
    "/{code}/applications",
    response=responses({201: SubmissionOut}, 400, 404, 422, 429),
    summary="申請の提出",
)
@ratelimit.declare("applications.submit.client")
def submit_application(
    request: HttpRequest,
    response: HttpResponse,
    code: str,
    payload: SubmissionIn,
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        min_length=8,
        max_length=255,
        pattern=r"^[!-~]+$",  # visible ASCII, e.g. a UUID
        description=(
            "任意。再送しても申請が二重にならないよう、申請ごとに新しい値（UUID など、8〜255 文字の"
            "英数記号）を付けます。同じ値と同じ内容の再送には、最初の申請（同じ受付番号と確認コード）"
            "を返し、応答に `Idempotent-Replayed: true` を付けます。同じ値で内容が違うと 422 です。"
            " Optional: a new value per application (e.g. a UUID); a retry with the same key and"
            " body returns the first application; the same key with another body is refused."
        ),
    ),
) -> Any:
    # Applications made (each mails a receipt) are counted; rejected bodies and replays are not.
    client = ratelimit.client_key(request)
    if ratelimit.exceeded("applications.submit.client", client):
        raise HttpError(429, ratelimit.refusal_message())
    municipality = get_active_municipality(code)
    idempotency = None
    if idempotency_key:
        idempotency = services.Idempotency(
            key=idempotency_key,
            digest=codes.request_digest(
                json.dumps(payload.dict(), sort_keys=True, ensure_ascii=False, default=str)
            ),
        )
    version = published_form_version(
        municipality=municipality, slug=payload.procedure, number=payload.form_version
    )
    procedure = (
        version.procedure
        if version is not None
        else procedure_get(municipality=municipality, slug=payload.procedure)  # 404 if none
    )
    if not procedure.online:
        raise HttpError(404, _("この手続はオンラインでは申請できません。"))
    if version is None:
        return Status(
            422,
            {
                "message": _("様式の版が見つかりません。"),
                "errors": {
                    "form_version": [_("様式の版が見つかりません。最新の版で申請してください。")]
                },
            },
        )
    try:
        submitted = services.application_submit(
            municipality=municipality,
            procedure=procedure,
            form_version=version,
            raw_answers=payload.answers,
            channel=Channel.API,
            idempotency=idempotency,
        )
    except services.SubmissionInvalid as exc:
        return Status(422, {"message": _("入力内容に誤りがあります。"), "errors": exc.errors})
    except services.IdempotencyKeyReused:
        message = _(
            "この Idempotency-Key は、別の内容の申請に使われています。新しい値にしてください。"
        )
        return Status(422, {"message": message, "errors": {"Idempotency-Key": [message]}})
    application = submitted.application
    if submitted.replayed:
        response["Idempotent-Replayed"] = "true"
    else:
        ratelimit.hit("applications.submit.client", client)
    return Status(
        201,
        {
            "receipt_number": application.receipt_number,
            "access_code": submitted.access_code,
            "status": application.status,
            "submitted_at": application.submitted_at,
        },
    )


@router.post(
    "/{code}/applications/status",
    response=responses({200: StatusOut}, 400, 404, 422, 429),
    summary="申請の状況確認",
)
def application_status(request: HttpRequest, code: str, payload: StatusIn) -> Any:
    municipality = get_active_municipality(code)
    lookup = {"municipality_code": municipality.code, "receipt_number": payload.receipt_number}
    if not throttle.lookup_allowed(request=request, **lookup):
        raise HttpError(429, throttle.lookup_refused_message())
    application = selectors.application_for_resident(
        municipality=municipality,
        receipt_number=payload.receipt_number[:40],
        access_code=payload.access_code[:40],
    )
    if application is None:
        throttle.lookup_failed(request=request, **lookup)
        raise HttpError(404, _("受付番号または確認コードが違います。"))
    return {
        "receipt_number": application.receipt_number,
        "procedure": application.procedure.name,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "submitted_at": application.submitted_at,
        "history": [
            {
                "at": e.at,
                "status": e.to_status,
                "status_label": str(e.get_to_status_display()) if e.to_status else "",
                "note": e.public_note,
            }
            for e in selectors.application_public_events(application=application)
        ],
    }
