"""Staff account actions: the TOTP second factor, and which roles must use it."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.tenancy.models import Municipality

from .models import MUNICIPALITY_ROLES, SecondFactorRequirement, StaffUser

DEVICE_NAME = "authenticator"


def totp_device_pending(*, user: StaffUser) -> TOTPDevice:
    """The unconfirmed device being set up (a new secret each time set-up starts over)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: StaffUser, token: str) -> TOTPDevice | None:
    """Confirm the pending device with a code from the app; other devices are removed."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def totp_enabled(*, user: StaffUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_roles(*, municipality: Municipality) -> set[str]:
    return set(
        SecondFactorRequirement.objects.for_municipality(municipality).values_list(
            "role", flat=True
        )
    )


@transaction.atomic
def second_factor_roles_set(*, municipality: Municipality, roles: list[str]) -> None:
    """Require the second factor for exactly these roles of the municipality."""
    wanted = {r for r in roles if r in {role.value for role in MUNICIPALITY_ROLES}}
    rows = SecondFactorRequirement.objects.for_municipality(municipality)
    rows.exclude(role__in=wanted).delete()
    for role in sorted(wanted - set(rows.values_list("role", flat=True))):
        requirement = SecondFactorRequirement(municipality=municipality, role=role)
        requirement.full_clean()
        requirement.save()
