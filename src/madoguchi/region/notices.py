"""The mails of the prefecture console, rendered at send time (see madoguchi.notifications):
a notice of the prefecture to one staff member of its municipalities, and the word to the
staff member who asked that their consultation is answered. The templates are
`region/email/<name>_subject.txt` and `_body.txt`."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.urls import reverse

from madoguchi.accounts.permissions import REGION_TAKE_PART
from madoguchi.notifications.contexts import Envelope, context_for

from .liaison.services import ANSWERED, NOTICE
from .models import Consultation, NoticeDelivery


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


@context_for(ANSWERED)
def consultation_answered(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """To the staff member who asked, while they can still open the case: active, of the same
    municipality, in a role that takes part. The mail names the case by its title and links to
    it; the answer itself is read behind the sign-in."""
    consultation = (
        Consultation.objects.select_related("municipality__prefecture", "asked_by")
        .filter(pk=reference)
        .first()
    )
    asker = consultation.asked_by if consultation is not None else None
    if (
        consultation is None
        or asker is None
        or not asker.is_active
        or not asker.email
        or asker.municipality_id != consultation.municipality_id
        or not asker.has_perm(REGION_TAKE_PART)
    ):
        return None
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "region:consultation", kwargs={"consultation_id": consultation.pk}
    )
    return Envelope(
        recipient=asker.email,
        context={
            "prefecture": consultation.municipality.prefecture.name,
            "title": consultation.title,
            "url": url,
        },
    )
