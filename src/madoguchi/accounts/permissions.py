"""Least privilege by role: what each staff role may do in the admin and back office.

Kept in code (reviewed like code) rather than as editable groups, so a municipality cannot grant
itself more than its role allows. Superusers (the deployment's operators) have everything.
"""

from __future__ import annotations

from typing import Any

from .models import Role


def _crud(app_label: str, model: str, *actions: str) -> set[str]:
    return {
        f"{app_label}.{action}_{model}" for action in actions or ("view", "add", "change", "delete")
    }


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MUNICIPALITY_ADMIN: frozenset(
        _crud("procedures", "procedure")
        | _crud("procedures", "formversion", "view", "add")
        | _crud("tenancy", "municipality", "view", "change")
        | _crud("tenancy", "openinghours")
        | _crud("accounts", "staffuser")
    ),
    Role.MANAGER: frozenset(
        _crud("procedures", "procedure", "view", "change")
        | _crud("procedures", "formversion", "view", "add")
        | _crud("tenancy", "municipality", "view")
    ),
    Role.BACK_OFFICE: frozenset(_crud("procedures", "procedure", "view")),
    Role.COUNTER: frozenset(_crud("procedures", "procedure", "view")),
    Role.PREFECTURE_VIEWER: frozenset(),
}


class RolePermissionBackend:
    """An authentication backend that only answers permission questions, from the role."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not getattr(user_obj, "is_active", False) or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset()))

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
