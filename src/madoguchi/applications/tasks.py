"""Background work for applications (Django's tasks framework)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from django_tasks import task

from .models import Application, ApplicationEvent, Status


@task()
def send_receipt_email(*, application_id: int, access_code: str, language: str = "ja") -> None:
    application = Application.objects.select_related("municipality__prefecture", "procedure").get(
        pk=application_id
    )
    if not application.contact_email:
        return
    _mail_resident(application, "receipt", language, access_code=access_code)


@task()
def send_resume_email(*, email: str, municipality_name: str, procedure_name: str, url: str) -> None:
    context = {"municipality_name": municipality_name, "procedure_name": procedure_name, "url": url}
    subject = render_to_string("applications/email/resume_subject.txt", context).strip()
    body = render_to_string("applications/email/resume_body.txt", context)
    send_mail(subject, body, None, [email])


@task()
def send_correction_email(*, correction_id: int, url: str, language: str = "ja") -> None:
    from .models import CorrectionRequest
    from .workflow import correctable_fields

    correction = CorrectionRequest.objects.select_related(
        "application", "application__municipality", "application__procedure"
    ).get(pk=correction_id)
    application = correction.application
    if not application.contact_email:
        return
    # In the resident's language, never the staff member's who asked for the correction.
    with translation.override(language):
        labels = dict(correctable_fields(application=application))
        fields = pgettext("list separator", "、").join(
            labels.get(k, k) for k in correction.field_keys
        )
    _mail_resident(
        application, "correction", language, correction=correction, fields=fields, url=url
    )


@task()
def send_status_email(*, event_id: int, language: str = "ja") -> None:
    """Tell the resident that their application changed status (see workflow.NOTIFIED).

    Only what they need is in it — the procedure, the 受付番号, the new status, the reason of a
    refusal and the status page, whose URL carries nothing personal.
    """
    from .workflow import NOTIFIED

    event = ApplicationEvent.objects.select_related(
        "application__municipality", "application__procedure"
    ).get(pk=event_id)
    application = event.application
    if not application.contact_email or application.is_purged or event.to_status not in NOTIFIED:
        return
    _mail_resident(
        application,
        "status",
        language,
        event=event,
        status=event.to_status,
        status_label=Status(event.to_status).label,
        resubmitted=event.kind == ApplicationEvent.Kind.RESUBMITTED,
        correction_closed=(
            event.kind == ApplicationEvent.Kind.STATUS_CHANGED
            and event.from_status == Status.CORRECTION_REQUESTED
        ),
        reason=event.public_note if event.to_status == Status.REJECTED else "",
    )


def _mail_resident(application: Application, name: str, language: str, **context: Any) -> None:
    """Render `applications/email/<name>_subject.txt` and `_body.txt` in `language` and send them
    to the application's contact address (with the status page's address in the context)."""
    municipality = application.municipality
    with translation.override(language):
        status_url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
            "applications:status", kwargs={"municipality_code": municipality.code}
        )
        context = {
            "application": application,
            "municipality": municipality,
            "status_url": status_url,
            **context,
        }
        subject = render_to_string(f"applications/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"applications/email/{name}_body.txt", context)
    send_mail(subject, body, None, [application.contact_email])
