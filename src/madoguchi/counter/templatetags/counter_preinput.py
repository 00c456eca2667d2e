"""`{% preinput_for_booking booking %}`: the pre-input QR codes of the booking's procedures.

The booking confirmation (reservations/done.html) shows, beside the booking's own code, the
codes of any pre-input this browser made for one of the booked procedures, so the resident
brings one page to the counter. Template-level only: reservations does not import the
counter (a sibling in the layers); the pre-input is found in the resident's session as on the
pre-input result page.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from madoguchi.counter import preinput_views
from madoguchi.counter.preinput import qr

register = template.Library()


@register.simple_tag(takes_context=True)
def preinput_for_booking(context: dict[str, Any], booking: Any) -> SafeString:
    request = context.get("request")
    if request is None or booking is None:
        return mark_safe("")
    procedures = {p.slug: p for p in booking.service.procedures.all()}
    procedures.update({p.slug: p for p in booking.procedures.all()})
    found = []
    for slug, procedure in sorted(procedures.items()):
        result = request.session.get(f"preinput:{booking.municipality.code}:{slug}")
        if not isinstance(result, dict):
            continue
        texts = preinput_views.result_texts(request, result)
        total = len(texts)
        found.append(
            {
                "procedure": procedure,
                "codes": [
                    mark_safe(  # noqa: S308 - segno's SVG, no user input in the markup
                        qr.svg(
                            text,
                            title=_("%(procedure)sの事前入力 QRコード %(number)d/%(total)d")
                            % {"procedure": procedure.display_name, "number": i, "total": total},
                        )
                    )
                    for i, text in enumerate(texts, start=1)
                ],
            }
        )
    if not found:
        return mark_safe("")
    return render_to_string(
        "counter/_booking_preinput.html", {"preinputs": found, "booking": booking}, request
    )
