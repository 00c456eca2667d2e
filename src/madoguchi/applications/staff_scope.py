"""Who in the back office sees which applications (docs/backoffice.md).

The departments a staff member works for come from accounts (accounts/departments.py); here
they become procedures (Procedure.department, 担当課) and applications. With no department a
back-office user sees nothing, and the inbox says so. Counter staff and prefecture viewers have
no back-office access. Everything is within the staff member's own municipality.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.accounts.departments import department_scope
from madoguchi.accounts.models import StaffUser
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.access import access_tenant_object

from .models import Application


def can_use_back_office(user: Any) -> bool:
    return (
        isinstance(user, StaffUser)
        and user.is_active
        and user.municipality_id is not None
        and user.has_perm("applications.view_application")
    )


def can_read_audit(user: Any) -> bool:
    return can_use_back_office(user) and bool(user.has_perm("core.view_auditevent"))


def visible_procedures(*, user: StaffUser) -> QuerySet[Procedure]:
    assert user.municipality is not None
    qs: QuerySet[Procedure] = Procedure.objects.for_municipality(user.municipality)
    if not can_use_back_office(user):
        return qs.none()
    departments = department_scope(user=user)
    if departments.every:
        return qs
    return qs.filter(department__in=departments.names).exclude(department="")


def visible_applications(*, user: StaffUser) -> QuerySet[Application]:
    assert user.municipality is not None
    qs: QuerySet[Application] = Application.objects.for_municipality(user.municipality)
    if can_use_back_office(user) and department_scope(user=user).every:
        return qs
    return qs.filter(procedure__in=visible_procedures(user=user).values("pk"))


def access_application(*, user: StaffUser, application_id: int) -> Application:
    """One application the user may process; 404 when missing, another town's or not theirs."""
    assert user.municipality is not None
    application = access_tenant_object(
        Application, municipality=user.municipality, pk=application_id
    )
    if not visible_procedures(user=user).filter(pk=application.procedure_id).exists():
        raise Http404
    return application
