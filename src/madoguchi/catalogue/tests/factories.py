"""Form-builder test data: staff who edit and approve, and a procedure with a published form."""

from __future__ import annotations

from typing import Any

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.procedures.models import FormVersion
from madoguchi.tenancy.models import Municipality


def editor_user(municipality: Municipality, **kwargs: Any) -> StaffUser:
    user: StaffUser = StaffUserFactory(
        municipality=municipality, role=Role.PROCEDURE_EDITOR, **kwargs
    )
    return user


def published_version(**kwargs: Any) -> FormVersion:
    """Version 1 of a published procedure's form (the applications' test definition)."""
    version: FormVersion = FormVersionFactory(without_files=True, **kwargs)
    return version
