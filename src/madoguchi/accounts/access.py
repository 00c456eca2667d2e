"""The signed-in staff member of a request."""

from __future__ import annotations

from django.http import HttpRequest

from .models import StaffUser


def staff_user(request: HttpRequest) -> StaffUser:
    """The staff member of a view behind login_required (or a stricter staff check)."""
    assert isinstance(request.user, StaffUser)
    return request.user
