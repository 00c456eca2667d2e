"""Staff account actions: setting up the optional TOTP second factor."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import StaffUser

DEVICE_NAME = "authenticator"


def totp_device_pending(*, user: StaffUser) -> TOTPDevice:
    """The unconfirmed device being set up (a new secret each time set-up starts over)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: StaffUser, token: str) -> bool:
    """Confirm the pending device with a code from the app; other devices are removed."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_enabled(*, user: StaffUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
