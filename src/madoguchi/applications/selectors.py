"""Reads for applications, always scoped by municipality."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from madoguchi.tenancy.models import Municipality

from . import codes
from .models import Application, ApplicationEvent, Draft


def application_for_resident(
    *, municipality: Municipality, receipt_number: str, access_code: str
) -> Application | None:
    """The application, only when the receipt number and access code match (else None)."""
    digits = codes.normalize_code(receipt_number)  # hyphens and spaces dropped
    if len(digits) != 14 or not digits.isdigit():
        return None
    receipt = f"{digits[:8]}-{digits[8:]}"
    application = (
        Application.objects.for_municipality(municipality)
        .select_related("procedure")
        .filter(receipt_number=receipt)
        .first()
    )
    if application is None:
        return None
    expected = codes.hash_secret(codes.normalize_code(access_code), application.access_code_salt)
    if not hmac.compare_digest(expected, application.access_code_hash):
        return None
    return application


def application_public_events(*, application: Application) -> QuerySet[ApplicationEvent]:
    return application.events.exclude(kind=ApplicationEvent.Kind.NOTE).order_by("at", "pk")


def draft_by_resume_token(*, municipality: Municipality, token: str) -> Draft | None:
    from django.utils import timezone

    if not token:
        return None
    return (
        Draft.objects.for_municipality(municipality)
        .select_related("procedure", "form_version")
        .filter(resume_token_hash=codes.hash_secret(token), expires_at__gt=timezone.now())
        .first()
    )
