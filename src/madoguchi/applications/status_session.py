"""The application a resident opened on the status page, remembered in their session.

After the receipt number and access code matched, other resident pages (the printed form's
download) may serve that one application to the same browser for a short while, without the
code again and without any id in a URL.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from madoguchi.tenancy.models import Municipality

from .models import Application

SESSION_KEY = "applications_status_opened"
VALID_SECONDS = 30 * 60


def remember_opened(request: HttpRequest, application: Application) -> None:
    request.session[SESSION_KEY] = {
        "municipality": application.municipality_id,
        "application": application.pk,
        "at": int(time.time()),
    }


def opened_application(request: HttpRequest, *, municipality: Municipality) -> Application | None:
    """The application opened on the status page in the last 30 minutes, else None."""
    opened = request.session.get(SESSION_KEY)
    if not isinstance(opened, dict) or opened.get("municipality") != municipality.pk:
        return None
    if int(time.time()) - int(opened.get("at") or 0) > VALID_SECONDS:
        return None
    application_id = opened.get("application")
    if not isinstance(application_id, int):
        return None
    return (
        Application.objects.for_municipality(municipality)
        .select_related("procedure", "form_version", "municipality")
        .filter(pk=application_id)
        .first()
    )
