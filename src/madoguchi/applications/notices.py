"""The mails about applications, rendered at send time (see madoguchi.notifications).

Each function loads the row its notification refers to and returns the address with the
template context, or None when there is nothing to send any more. The templates are
`applications/email/<name>_subject.txt` and `_body.txt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import pgettext

from madoguchi.notifications.contexts import Envelope, context_for

from .models import Application, ApplicationEvent, CorrectionRequest, Draft, Status
from .services import RECEIPT, RESUME
from .workflow import (
    ASSIGNED,
    CORRECTION,
    NOTIFIED,
    STATUS,
    correctable_fields,
    correction_url,
)


@context_for(RECEIPT)
def receipt(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """Sealed: the access code (only its hash is stored with the application)."""
    application = (
        Application.objects.select_related("municipality", "procedure").filter(pk=reference).first()
    )
    if application is None or application.is_purged or not application.contact_email:
        return None
    return _to_resident(application, access_code=sealed["access_code"])


@context_for(RESUME)
def resume(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """Sealed: the address typed for this mail and the link with its token. Nothing to send
    once the draft is gone (submitted or expired): its link no longer works."""
    draft = Draft.objects.select_related("municipality", "procedure").filter(pk=reference).first()
    if draft is None:
        return None
    return Envelope(
        recipient=sealed["to"],
        context={
            "municipality_name": str(draft.municipality),
            "procedure_name": draft.procedure.name,
            "url": sealed["url"],
            "expires_at": draft.expires_at,
        },
    )


@context_for(CORRECTION)
def correction(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """Sealed: the correction link's token. Nothing to send once the request is closed."""
    found = (
        CorrectionRequest.objects.select_related(
            "application__municipality", "application__procedure", "application__form_version"
        )
        .filter(pk=reference, resubmitted_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    if found is None:
        return None
    application = found.application
    if application.is_purged or not application.contact_email:
        return None
    labels = dict(correctable_fields(application=application))
    fields = pgettext("list separator", "、").join(labels.get(k, k) for k in found.field_keys)
    return _to_resident(
        application,
        correction=found,
        fields=fields,
        url=correction_url(application=application, token=sealed["token"]),
    )


@context_for(STATUS)
def status(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """The change the event records (not the latest status: a late mail describes its own
    change). Only what the resident needs — the procedure, the 受付番号, the new status, the
    reason of a refusal and the status page, whose URL carries nothing personal."""
    event = (
        ApplicationEvent.objects.select_related(
            "application__municipality", "application__procedure"
        )
        .filter(pk=reference)
        .first()
    )
    if event is None or event.to_status not in NOTIFIED:
        return None
    application = event.application
    if application.is_purged or not application.contact_email:
        return None
    note = event.note_for(language=application.language, easy=application.easy_japanese)
    return _to_resident(
        application,
        event=event,
        status=event.to_status,
        status_label=Status(event.to_status).label,
        resubmitted=event.kind == ApplicationEvent.Kind.RESUBMITTED,
        correction_closed=(
            event.kind == ApplicationEvent.Kind.STATUS_CHANGED
            and event.from_status == Status.CORRECTION_REQUESTED
        ),
        reason=note if event.to_status == Status.REJECTED else "",
        # What staff wrote for the resident with another change (e.g. how to collect a
        # certificate on completion): the status page shows it, and so does the mail.
        note=note if event.to_status != Status.REJECTED else "",
    )


@context_for(ASSIGNED)
def assigned(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """To the colleague the application was given to, if it is still theirs: the procedure, the
    受付番号, the deadline and the back-office link (behind sign-in); never the applicant."""
    event = (
        ApplicationEvent.objects.select_related(
            "application__municipality", "application__procedure", "application__assignee"
        )
        .filter(pk=reference, kind=ApplicationEvent.Kind.ASSIGNED)
        .first()
    )
    if event is None:
        return None
    application = event.application
    assignee = application.assignee
    if assignee is None or not assignee.is_active or not assignee.email:
        return None
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "applications_staff:detail", kwargs={"pk": application.pk}
    )
    return Envelope(
        recipient=assignee.email,
        context={
            "application": application,
            "municipality": application.municipality,
            "assignee": assignee,
            "url": url,
        },
    )


def _to_resident(application: Application, **context: Any) -> Envelope:
    """To the application's contact address, with the status page's address in the context."""
    municipality = application.municipality
    status_url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "applications:status", kwargs={"municipality_code": municipality.code}
    )
    return Envelope(
        recipient=application.contact_email,
        context={
            "application": application,
            "municipality": municipality,
            "status_url": status_url,
            **context,
        },
    )
