"""Department scoping: which 担当課 a staff member works for (docs/backoffice.md).

- Managers and municipality administrators work for every department of their municipality.
- Back-office staff (処理担当) work for the departments set for them (StaffDepartment rows, in the
  admin); with none set they work for none — least privilege, never "everything by default".
- Everyone else has no department.
Apps apply the answer to their own rows (applications/staff_scope.py: procedures by 担当課).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Role, StaffDepartment, StaffUser

EVERY_DEPARTMENT_ROLES = (Role.MANAGER, Role.MUNICIPALITY_ADMIN)


@dataclass(frozen=True)
class Departments:
    every: bool  # all departments of the staff member's municipality
    names: tuple[str, ...]  # otherwise exactly these (possibly none)


def staff_departments(*, user: StaffUser) -> list[str]:
    """The departments set for this staff member, by name."""
    return list(
        StaffDepartment.objects.filter(staff=user, municipality=user.municipality)
        .order_by("department")
        .values_list("department", flat=True)
    )


def department_scope(*, user: StaffUser) -> Departments:
    if not user.is_active or user.municipality_id is None:
        return Departments(every=False, names=())
    if user.role in EVERY_DEPARTMENT_ROLES:
        return Departments(every=True, names=())
    if user.role == Role.BACK_OFFICE:
        return Departments(every=False, names=tuple(staff_departments(user=user)))
    return Departments(every=False, names=())
