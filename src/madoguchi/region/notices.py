"""The mails of the prefecture console, rendered at send time (see madoguchi.notifications):
a notice of the prefecture to one staff member of its municipalities. The templates are
`region/email/<name>_subject.txt` and `_body.txt`."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.urls import reverse

from madoguchi.notifications.contexts import Envelope, context_for

from .liaison.services import NOTICE
from .models import NoticeDelivery


@context_for(NOTICE)
def notice(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """To the staff member the notice was delivered to, while their account is active."""
    delivery = (
        NoticeDelivery.objects.select_related("notice__prefecture", "staff")
        .filter(pk=reference)
        .first()
    )
    if delivery is None or not delivery.staff.is_active or not delivery.staff.email:
        return None
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "region:notice", kwargs={"pk": delivery.notice_id}
    )
    return Envelope(recipient=delivery.staff.email, context={"notice": delivery.notice, "url": url})
