"""The mails about bookings, rendered at send time (see madoguchi.notifications).

Templates: `reservations/email/<name>_subject.txt` and `_body.txt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from madoguchi.notifications.contexts import Envelope, context_for

from .models import Booking
from .services import booking_what_to_bring


@context_for("reservations/confirmation")
def confirmation(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """Sealed: the booking's PIN (only its hash is stored with the booking)."""
    booking = _booking(reference)
    if booking is None:
        return None
    return _envelope(booking, secret=sealed["pin"], manage_url=sealed.get("manage_url", ""))


@context_for("reservations/changed")
def changed(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """Sealed: the manage link and the former start (ISO), said in the mail."""
    booking = _booking(reference)
    if booking is None:
        return None
    return _envelope(
        booking,
        manage_url=sealed["manage_url"],
        previous=datetime.fromisoformat(sealed["previous"]),
    )


@context_for("reservations/cancelled")
def cancelled(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """Sealed: the manage link (it shows the booking as cancelled, and the way to book again)."""
    booking = _booking(reference)
    if booking is None:
        return None
    return _envelope(booking, manage_url=sealed["manage_url"])


@context_for("reservations/reminder")
def reminder(reference: str, sealed: Mapping[str, str]) -> Envelope | None:
    """Nothing to send once the booking was cancelled or checked in."""
    booking = _booking(reference)
    if booking is None or booking.status != Booking.Status.BOOKED:
        return None
    return _envelope(booking)


def _booking(reference: str) -> Booking | None:
    booking = Booking.objects.select_related("municipality", "service").filter(pk=reference).first()
    return booking if booking is not None and booking.email else None


def _envelope(booking: Booking, **context: object) -> Envelope:
    return Envelope(
        recipient=booking.email,
        context={
            "booking": booking,
            "municipality": booking.municipality,
            "what_to_bring": booking_what_to_bring(booking=booking),
            **context,
        },
    )
