"""The one second-factor policy, applied at every door (login, admin, every /staff/ page).

A session has passed the second factor when django-otp marks it verified. A user with a
confirmed authenticator must verify; a user whose role their municipality made 2FA-mandatory
and who has no authenticator yet may only enrol one (or sign out).
"""

from __future__ import annotations

import enum
from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django_otp import user_has_device

from .models import SecondFactorRequirement, StaffUser


class FactorState(enum.Enum):
    PASSED = "passed"  # verified, or not needed for this user
    VERIFY = "verify"  # has an authenticator; the session has not given a code yet
    ENROL = "enrol"  # the role requires one and the user has none yet


def role_requires_second_factor(user: StaffUser) -> bool:
    if user.municipality_id is None or not user.role:
        return False
    return (
        SecondFactorRequirement.objects.for_municipality(user.municipality)  # type: ignore[arg-type]
        .filter(role=user.role)
        .exists()
    )


def factor_state(request: HttpRequest) -> FactorState:
    """Where this session stands (computed once per request)."""
    cached: FactorState | None = getattr(request, "_madoguchi_factor_state", None)
    if cached is not None:
        return cached
    user: Any = request.user
    state = FactorState.PASSED
    if user.is_authenticated and not (hasattr(user, "is_verified") and user.is_verified()):
        if user_has_device(user, confirmed=True):
            state = FactorState.VERIFY
        elif isinstance(user, StaffUser) and role_requires_second_factor(user):
            state = FactorState.ENROL
    request._madoguchi_factor_state = state  # type: ignore[attr-defined]
    return state


def forget_factor_state(request: HttpRequest) -> None:
    request.__dict__.pop("_madoguchi_factor_state", None)


def second_factor_failed(request: HttpRequest | None, username: str) -> None:
    """A wrong or missing code counts as a failed sign-in (django-axes locks after enough)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
