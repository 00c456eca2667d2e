"""Who in the back office sees which applications (docs/backoffice.md).

- Managers and municipality administrators see every procedure of their municipality.
- Back-office staff (処理担当) see the procedures whose 担当課 (Procedure.department) is one of
  their departments (StaffDepartment rows, set in the admin). With none set they see nothing,
  and the inbox says so — least privilege, never "everything by default".
- Counter staff and prefecture viewers have no back-office access.
Everything is within the staff member's own municipality.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.access import access_tenant_object

from .models import Application, StaffDepartment

ALL_PROCEDURE_ROLES = (Role.MANAGER, Role.MUNICIPALITY_ADMIN)


def can_use_back_office(user: Any) -> bool:
    return (
        isinstance(user, StaffUser)
        and user.is_active
        and user.municipality_id is not None
        and user.has_perm("applications.view_application")
    )


def can_read_audit(user: Any) -> bool:
    return can_use_back_office(user) and bool(user.has_perm("core.view_auditevent"))


def staff_departments(*, user: StaffUser) -> list[str]:
    return list(
        StaffDepartment.objects.filter(staff=user, municipality=user.municipality)
        .order_by("department")
        .values_list("department", flat=True)
    )


def visible_procedures(*, user: StaffUser) -> QuerySet[Procedure]:
    assert user.municipality is not None
    qs: QuerySet[Procedure] = Procedure.objects.for_municipality(user.municipality)
    if not can_use_back_office(user):
        return qs.none()
    if user.role in ALL_PROCEDURE_ROLES:
        return qs
    departments = StaffDepartment.objects.filter(staff=user, municipality=user.municipality).values(
        "department"
    )
    return qs.filter(department__in=departments).exclude(department="")


def visible_applications(*, user: StaffUser) -> QuerySet[Application]:
    assert user.municipality is not None
    qs: QuerySet[Application] = Application.objects.for_municipality(user.municipality)
    if user.role in ALL_PROCEDURE_ROLES and can_use_back_office(user):
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
