"""The form builder's panel on the staff home (accounts.home_panels)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from madoguchi.accounts.home_panels import Link, Panel, home_panel
from madoguchi.accounts.models import Role, StaffUser
from madoguchi.accounts.permissions import EDIT_FORMS


@home_panel
def form_builder(user: StaffUser) -> Panel | None:
    if user.municipality is None or not user.has_perm(EDIT_FORMS):
        return None
    return Panel(
        key="form_builder",
        title=_("手続の様式"),
        links=[
            Link(_("様式を作る・直す"), reverse("catalogue_builder:list")),
            Link(_("新しい手続を作る"), reverse("catalogue_builder:new")),
        ],
        primary_for=frozenset({Role.PROCEDURE_EDITOR}),
        order=46,
    )
